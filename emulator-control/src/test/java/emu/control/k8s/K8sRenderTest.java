package emu.control.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emu.control.cli.EmuCommand;
import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.NodeConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./emu k8s render}: every rendered object is a Kubernetes object as the API model
 * (fabric8) knows it, with no field it does not know; the pods, services and node
 * configurations agree with each other and with the topology; and a mock API server (CRUD
 * mode, a stand-in for {@code kubectl apply}) accepts them all.
 */
@EnableKubernetesMockClient(crud = true)
class K8sRenderTest {
  static KubernetesClient client;

  private static final Path CONFIGS = Path.of(System.getProperty("emu.configs", "../configs"));
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization K8S = new KubernetesSerialization();
  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern IANA_SVC_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");
  private static final Map<String, String> API_VERSION = Map.of("Namespace", "v1", "Secret", "v1", "ConfigMap", "v1",
      "Service", "v1", "Pod", "v1", "Deployment", "apps/v1", "NetworkPolicy", "networking.k8s.io/v1");

  record Run(int code, String out, String err) {}

  static Run emu(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = EmuCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The rendered documents, typed by the fabric8 model, each checked for fields it does not know. */
  static List<HasMetadata> parse(String yaml) throws Exception {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.isBlank()) {
        continue;
      }
      JsonNode tree = YAML.readTree(doc);
      String kind = tree.path("kind").asText();
      assertEquals(API_VERSION.get(kind), tree.path("apiVersion").asText(), "apiVersion of " + kind);
      HasMetadata o = K8S.unmarshal(doc, HasMetadata.class);
      assertEquals(kind, o.getKind());
      assertEquals(switch (kind) {
        case "Namespace" -> Namespace.class;
        case "Secret" -> Secret.class;
        case "ConfigMap" -> ConfigMap.class;
        case "Service" -> Service.class;
        case "Pod" -> Pod.class;
        case "Deployment" -> Deployment.class;
        case "NetworkPolicy" -> NetworkPolicy.class;
        default -> fail("unexpected kind " + kind);
      }, o.getClass());
      List<String> unknown = new ArrayList<>();
      unknownFields(o, kind, unknown, new HashSet<>());
      assertEquals(List.of(), unknown, "fields the Kubernetes model does not know");
      // and nothing is lost or changed between the text and the model
      assertEquals(YAML.readTree(doc), new ObjectMapper().readTree(K8S.asJson(o)), kind + " round trip");
      objects.add(o);
    }
    return objects;
  }

  /**
   * fabric8's model keeps fields it does not know in {@code additionalProperties} instead of
   * failing, so strictness is checked by walking every model object.
   */
  static void unknownFields(Object o, String path, List<String> found, Set<Object> seen) throws Exception {
    if (o == null || !seen.add(System.identityHashCode(o) + ":" + o.getClass())) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        unknownFields(e.getValue(), path + "." + e.getKey(), found, seen);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method g : o.getClass().getMethods()) {
      if (g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers()) || !g.getName().startsWith("get")
          || g.getDeclaringClass() == Object.class) {
        continue;
      }
      Object v = g.invoke(o);
      if (g.getName().equals("getAdditionalProperties")) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
          found.add(path + ": " + m.keySet());
        }
        continue;
      }
      unknownFields(v, path + "." + g.getName().substring(3), found, seen);
    }
  }

  static <T> List<T> of(List<HasMetadata> all, Class<T> kind) {
    return all.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  static Map<String, String> labels(String lab, String node) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("app.kubernetes.io/part-of", "emu");
    l.put("emu.lab", lab);
    if (node != null) {
      l.put("emu.node", node);
    }
    return l;
  }

  /** Everything that must hold between the objects, the topology and the node configurations. */
  static void checkLab(Topology topo, List<HasMetadata> objects, String ns, String image, Path tmp) throws Exception {
    String lab = K8sNames.map(topo.name());
    Map<String, String> names = K8sNames.nodes(topo);
    for (HasMetadata o : objects) {
      String name = o.getMetadata().getName();
      assertTrue(DNS_1123_LABEL.matcher(name).matches(), "name " + name);
      if (!(o instanceof Namespace)) {
        assertEquals(ns, o.getMetadata().getNamespace(), name);
      }
      Map<String, String> l = o.getMetadata().getLabels();
      assertEquals("emu", l.get("app.kubernetes.io/part-of"), name);
      assertEquals(lab, l.get("emu.lab"), name);
      for (String v : l.values()) {
        assertTrue(DNS_1123_LABEL.matcher(v).matches(), "label value " + v);
      }
    }
    Map<String, Service> services = of(objects, Service.class).stream()
        .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s));
    Map<String, Pod> pods = of(objects, Pod.class).stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
    Map<String, ConfigMap> maps = of(objects, ConfigMap.class).stream()
        .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c));
    Map<String, Secret> secretsByName = of(objects, Secret.class).stream()
        .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c));
    assertEquals(1 + topo.nodes().size(), secretsByName.size(), "the control plane's, and one per node");
    Secret secret = secretsByName.get(K8sManifests.SECRET);
    assertNull(secret.getStringData().get("token"), "no lab-wide token: each node has its own key");
    assertEquals(Set.of(K8sManifests.MASTER_KEY, "ca.pem", "control.pem", "control.key"),
        secret.getStringData().keySet(), "the control plane's Secret holds nothing per node");
    emu.control.plan.NodeKeys nodeKeys = emu.control.plan.NodeKeys.fromHex(
        secret.getStringData().get(K8sManifests.MASTER_KEY));
    Set<String> distinctKeys = new HashSet<>();
    // the lab's name table, once: the nodes' configurations name it relative to where they are mounted
    Files.createDirectories(tmp.resolve("node"));
    Files.createDirectories(tmp.resolve("hosts"));
    Files.writeString(tmp.resolve("hosts").resolve(emu.node.config.HostsTable.FILE),
        maps.get(K8sManifests.HOSTS).getData().get(emu.node.config.HostsTable.FILE));
    assertEquals(topo.nodes().size(), services.size());
    assertEquals(topo.nodes().size(), pods.size());

    Map<String, NodeConfig> configs = new HashMap<>();
    Set<Integer> udpPorts = new HashSet<>();
    for (NodeSpec n : topo.nodes()) {
      String k = names.get(n.name());
      assertTrue(DNS_1035_LABEL.matcher(k).matches(), k);
      Service svc = services.get(k);
      Pod pod = pods.get(k);
      assertNotNull(svc, "Service for " + n.name());
      assertNotNull(pod, "Pod for " + n.name());
      for (HasMetadata o : List.of(svc, pod, maps.get("emu-node-" + k))) {
        labels(lab, k).forEach((key, v) -> assertEquals(v, o.getMetadata().getLabels().get(key), key));
      }
      assertEquals("None", svc.getSpec().getClusterIP());
      assertEquals(Boolean.TRUE, svc.getSpec().getPublishNotReadyAddresses());
      svc.getSpec().getSelector().forEach((key, v) -> assertEquals(v, pod.getMetadata().getLabels().get(key)));
      // the selector picks this pod only
      assertEquals(k, svc.getSpec().getSelector().get("emu.node"));

      // the configuration: the node's own (strict) reader, with the Secret's part merged back
      ConfigMap cm = maps.get("emu-node-" + k);
      assertNotNull(cm, "ConfigMap of " + n.name());
      String json = cm.getData().get("node.json");
      String token = nodeKeys.of(n.name());
      assertEquals(64, token.length(), "32 bytes, hex");
      assertTrue(distinctKeys.add(token), "each node its own key");
      assertFalse(json.contains(token), "the node's key is not in the ConfigMap");
      assertFalse(json.contains("PRIVATE KEY"), "no private key in the ConfigMap");
      assertFalse(json.contains("\"hosts\" : {"), "no copy of the lab's name table in a node's ConfigMap");
      Path cfgFile = tmp.resolve("node").resolve(k + ".json");
      Path secFile = tmp.resolve(k + ".secret.json");
      Files.writeString(cfgFile, json);
      Secret own = secretsByName.get("emu-node-" + k);
      assertNotNull(own, "the Secret of " + n.name());
      labels(lab, k).forEach((key, v) -> assertEquals(v, own.getMetadata().getLabels().get(key), key));
      assertEquals(Set.of("node.json"), own.getStringData().keySet());
      Files.writeString(secFile, own.getStringData().get("node.json"));
      NodeConfig.read(cfgFile); // it parses into emu's node config on its own
      NodeConfig cfg = NodeConfig.read(cfgFile, secFile);
      configs.put(n.name(), cfg);
      assertEquals(token, cfg.management().token());
      assertEquals(n.name(), cfg.name());
      assertEquals(n.https() != null, cfg.https() != null && cfg.https().keyPem().contains("PRIVATE KEY"));
      // management over TLS: the key from the Secret, a certificate from the lab CA for the Service's names
      NodeConfig.Management.Tls tls = cfg.management().tls();
      assertTrue(tls != null && tls.keyPem().contains("PRIVATE KEY"), "management TLS of " + k);
      assertEquals(secret.getStringData().get("ca.pem"), tls.clientCaPem());
      java.security.cert.X509Certificate leaf = emu.node.tls.Pem.certificates(tls.certChainPem()).get(0);
      leaf.verify(emu.node.tls.Pem.certificates(tls.clientCaPem()).get(0).getPublicKey());
      Set<String> sans = new HashSet<>();
      leaf.getSubjectAlternativeNames().forEach(san -> sans.add((String) san.get(1)));
      assertTrue(sans.containsAll(List.of(k, k + "." + ns + ".svc", k + "." + ns + ".svc.cluster.local")),
          sans.toString());

      // the pod: the node entry point reading the mounted ConfigMap and Secret, one port per link
      assertEquals(1, pod.getSpec().getContainers().size());
      Container c = pod.getSpec().getContainers().get(0);
      assertEquals(image, c.getImage());
      List<String> cmd = c.getCommand();
      assertEquals("java", cmd.get(0));
      assertEquals(List.of("-cp", K8sManifests.JAR, "emu.node.NodeMain", "/etc/emu/node/node.json",
          "/etc/emu/secret/node.json"), cmd.subList(cmd.size() - 5, cmd.size()));
      assertEquals("emu-node-" + k, pod.getSpec().getVolumes().stream().filter(v -> v.getConfigMap() != null)
          .findFirst().orElseThrow().getConfigMap().getName());
      var sv = pod.getSpec().getVolumes().stream().filter(v -> v.getSecret() != null).toList();
      assertEquals(1, sv.size(), "a node pod mounts one Secret");
      assertEquals("emu-node-" + k, sv.get(0).getSecret().getSecretName(), "its own");
      assertTrue(pod.getSpec().getVolumes().stream().anyMatch(v -> v.getConfigMap() != null
          && v.getConfigMap().getName().equals(K8sManifests.HOSTS)), "the lab's name table");
      if (!n.isSwitch()) {
        // the whole table, read from the shared file: every node by name
        for (NodeSpec other : topo.nodes()) {
          other.interfaces().stream().filter(i -> i.address() != null).findFirst()
              .ifPresent(i -> assertNotNull(cfg.hosts().get(other.name()), n.name() + " knows " + other.name()));
        }
      }

      Map<String, Integer> linkPorts = new LinkedHashMap<>();
      for (NodeConfig.Iface f : cfg.interfaces()) {
        if (f.peer() != null) {
          assertTrue(f.bind().startsWith("0.0.0.0:"), f.bind());
          linkPorts.put(f.name(), Integer.parseInt(f.bind().substring(8)));
        }
      }
      Set<String> linked = new HashSet<>();
      for (LinkSpec l : topo.links()) {
        if (l.a().node().equals(n.name())) {
          linked.add(l.a().iface());
        }
        if (l.b().node().equals(n.name())) {
          linked.add(l.b().iface());
        }
      }
      assertEquals(linked, linkPorts.keySet(), "linked interfaces of " + n.name());
      Map<String, Integer> podUdp = new HashMap<>();
      for (ContainerPort p : c.getPorts()) {
        assertTrue(IANA_SVC_NAME.matcher(p.getName()).matches(), "port name " + p.getName());
        if (p.getProtocol().equals("UDP")) {
          podUdp.put(p.getName(), p.getContainerPort());
        } else {
          assertEquals("TCP", p.getProtocol());
          assertEquals(cfg.management().port(), p.getContainerPort());
        }
      }
      assertEquals(linkPorts, podUdp, "UDP ports of pod " + k);
      udpPorts.addAll(podUdp.values());
      checkLocked(pod.getSpec(), K8sManifests.OUT_DIR, "/tmp");
      assertEquals("0.0.0.0", cfg.management().host());
      assertEquals(c.getPorts().size(), svc.getSpec().getPorts().size());
      for (ServicePort p : svc.getSpec().getPorts()) {
        ContainerPort cp = c.getPorts().stream().filter(x -> x.getName().equals(p.getName())).findFirst().orElseThrow();
        assertEquals(cp.getContainerPort(), p.getPort());
        assertEquals(cp.getContainerPort(), p.getTargetPort().getIntVal());
        assertEquals(cp.getProtocol(), p.getProtocol());
      }
      // the node keeps its addresses and MACs: only the sockets differ from a local lab
      for (IfaceSpec i : n.interfaces()) {
        if (i.address() != null) {
          assertEquals(i.address(), cfg.interfaces().stream().filter(f -> f.name().equals(i.name())).findFirst()
              .orElseThrow().address());
        }
      }
    }
    // every peer is a rendered Service and one of its UDP ports, and the two ends point at each other
    for (LinkSpec l : topo.links()) {
      NodeConfig.Iface a = iface(configs.get(l.a().node()), l.a().iface());
      NodeConfig.Iface b = iface(configs.get(l.b().node()), l.b().iface());
      assertEquals(names.get(l.b().node()) + ":" + b.bind().substring(8), a.peer());
      assertEquals(names.get(l.a().node()) + ":" + a.bind().substring(8), b.peer());
    }
    for (NodeConfig cfg : configs.values()) {
      for (NodeConfig.Iface f : cfg.interfaces()) {
        if (f.peer() != null) {
          String host = f.peer().substring(0, f.peer().indexOf(':'));
          int port = Integer.parseInt(f.peer().substring(f.peer().indexOf(':') + 1));
          Service s = services.get(host);
          assertNotNull(s, cfg.name() + ":" + f.name() + " peer " + f.peer() + " is no rendered Service");
          assertTrue(s.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == port && p.getProtocol().equals("UDP")),
              f.peer());
        }
      }
    }
    // the control plane
    List<Deployment> control = of(objects, Deployment.class);
    assertEquals(1, control.size());
    Deployment d = control.get(0);
    assertEquals(1, d.getSpec().getReplicas());
    d.getSpec().getSelector().getMatchLabels().forEach((key, v) ->
        assertEquals(v, d.getSpec().getTemplate().getMetadata().getLabels().get(key)));
    assertFalse(d.getSpec().getTemplate().getMetadata().getLabels().containsKey("emu.node"),
        "no node Service selects the control pod");
    Container cc = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals(image, cc.getImage());
    var ref = cc.getEnv().get(0).getValueFrom().getSecretKeyRef();
    assertEquals(secret.getMetadata().getName(), ref.getName());
    assertTrue(secret.getStringData().containsKey(ref.getKey()));
    JsonNode labFile = new ObjectMapper().readTree(maps.get("emu-control").getData().get("lab.json"));
    assertEquals(topo.nodes().size(), labFile.get("nodes").size());
    for (JsonNode n : labFile.get("nodes")) {
      assertTrue(services.containsKey(K8sNames.map(n.get("name").asText())), n.toString());
    }
    assertEquals(topo.scenario().size(), labFile.get("scenario").size());
    // the control pod's client certificate, key and the lab CA, from the Secret, where the lab file says
    var tlsMount = cc.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(labFile.path("tls").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no mount at the lab file's tls " + labFile.path("tls")));
    var tlsVolume = d.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(tlsMount.getName())).findFirst().orElseThrow();
    assertEquals(secret.getMetadata().getName(), tlsVolume.getSecret().getSecretName());
    assertEquals(Set.of("ca.pem", "control.pem", "control.key"), tlsVolume.getSecret().getItems().stream()
        .map(i -> i.getKey()).collect(Collectors.toSet()));
    assertTrue(secret.getStringData().get("control.key").contains("PRIVATE KEY"));
    checkLocked(d.getSpec().getTemplate().getSpec(), "/tmp");
    checkPolicy(of(objects, NetworkPolicy.class), pods.values(), d.getSpec().getTemplate().getMetadata().getLabels(),
        udpPorts);
  }

  /**
   * The pod runs as a fixed unprivileged user with a read-only root file system, no privilege
   * escalation and no capabilities; it writes only to emptyDir volumes, at exactly {@code writable}.
   */
  static void checkLocked(PodSpec spec, String... writable) {
    var ps = spec.getSecurityContext();
    assertEquals(Boolean.TRUE, ps.getRunAsNonRoot());
    assertEquals(K8sManifests.UID, ps.getRunAsUser().intValue());
    assertEquals(K8sManifests.UID, ps.getFsGroup().intValue(), "the secret's 0400 file is readable to the user");
    assertEquals("RuntimeDefault", ps.getSeccompProfile().getType());
    for (Container c : spec.getContainers()) {
      var s = c.getSecurityContext();
      assertEquals(Boolean.TRUE, s.getRunAsNonRoot(), c.getName());
      assertEquals(Boolean.TRUE, s.getReadOnlyRootFilesystem(), c.getName());
      assertEquals(Boolean.FALSE, s.getAllowPrivilegeEscalation(), c.getName());
      assertEquals(List.of("ALL"), s.getCapabilities().getDrop(), c.getName());
      assertTrue(s.getCapabilities().getAdd() == null || s.getCapabilities().getAdd().isEmpty(),
          "an emu node is user-space: no capability added");
      assertTrue(s.getPrivileged() == null || !s.getPrivileged());
      Set<String> rw = new HashSet<>();
      for (var m : c.getVolumeMounts()) {
        if (!Boolean.TRUE.equals(m.getReadOnly())) {
          rw.add(m.getMountPath());
          var v = spec.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst().orElseThrow();
          assertNotNull(v.getEmptyDir(), m.getMountPath() + " is written, so an emptyDir");
        }
      }
      assertEquals(Set.of(writable), rw, "writable paths of " + c.getName());
    }
  }

  /**
   * One policy selects every node pod (and not the control pod) and admits the control pod on
   * the management port and the node pods on exactly the lab's link ports, and nothing else.
   */
  static void checkPolicy(List<NetworkPolicy> policies, Collection<Pod> pods, Map<String, String> controlLabels,
                          Set<Integer> udpPorts) {
    assertEquals(1, policies.size());
    NetworkPolicy np = policies.get(0);
    Map<String, String> nodes = np.getSpec().getPodSelector().getMatchLabels();
    assertTrue(np.getSpec().getPodSelector().getMatchExpressions().isEmpty());
    for (Pod p : pods) {
      assertTrue(selects(nodes, p.getMetadata().getLabels()), "the policy covers pod " + p.getMetadata().getName());
    }
    assertFalse(selects(nodes, controlLabels), "the policy is about node pods");
    assertEquals(List.of("Ingress"), np.getSpec().getPolicyTypes());
    List<NetworkPolicyIngressRule> rules = np.getSpec().getIngress();
    assertEquals(udpPorts.isEmpty() ? 1 : 2, rules.size(), rules::toString);
    NetworkPolicyIngressRule mgmt = rules.get(0);
    assertEquals(1, mgmt.getFrom().size());
    Map<String, String> from = mgmt.getFrom().get(0).getPodSelector().getMatchLabels();
    assertNull(mgmt.getFrom().get(0).getNamespaceSelector(), "from this namespace only");
    assertNull(mgmt.getFrom().get(0).getIpBlock());
    assertTrue(selects(from, controlLabels), "the control pod reaches the management API");
    for (Pod p : pods) {
      assertFalse(selects(from, p.getMetadata().getLabels()), "a node does not reach another's management API");
    }
    assertEquals(List.of("TCP:" + K8sManifests.MGMT_PORT), ports(mgmt.getPorts()));
    if (!udpPorts.isEmpty()) {
      NetworkPolicyIngressRule links = rules.get(1);
      assertEquals(1, links.getFrom().size());
      Map<String, String> peers = links.getFrom().get(0).getPodSelector().getMatchLabels();
      assertNull(links.getFrom().get(0).getNamespaceSelector());
      assertFalse(selects(peers, controlLabels));
      for (Pod p : pods) {
        assertTrue(selects(peers, p.getMetadata().getLabels()));
      }
      assertEquals(udpPorts.stream().sorted().map(p -> "UDP:" + p).toList(), ports(links.getPorts()));
    }
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return !selector.isEmpty()
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static List<String> ports(List<NetworkPolicyPort> ports) {
    return ports.stream().map(p -> {
      assertNull(p.getEndPort());
      return p.getProtocol() + ":" + p.getPort().getIntVal();
    }).toList();
  }

  static NodeConfig.Iface iface(NodeConfig c, String name) {
    return c.interfaces().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }

  /** Creates every object on the mock API server in file order, as kubectl apply would, and reads it back. */
  static void apply(String yaml, List<HasMetadata> rendered) {
    // generous timeouts: two shared cores can keep a first connection waiting for more than 10 s
    try (KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(K8sRenderTest.client.getConfiguration())
            .withConnectionTimeout(60_000).withRequestTimeout(60_000).build()).build()) {
      apply(client, yaml, rendered);
    }
  }

  static void apply(KubernetesClient client, String yaml, List<HasMetadata> rendered) {
    List<HasMetadata> loaded = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    assertEquals(rendered.size(), loaded.size());
    for (HasMetadata o : loaded) {
      client.resource(o).create();
    }
    for (HasMetadata o : rendered) {
      String ns = o.getMetadata().getNamespace();
      HasMetadata back = ns == null ? client.resources(o.getClass()).withName(o.getMetadata().getName()).get()
          : client.resources(o.getClass()).inNamespace(ns).withName(o.getMetadata().getName()).get();
      assertNotNull(back, o.getKind() + " " + o.getMetadata().getName() + " was not stored");
      assertEquals(o.getMetadata().getLabels(), back.getMetadata().getLabels());
      if (o instanceof Pod p) {
        assertEquals(p.getSpec(), ((Pod) back).getSpec());
      } else if (o instanceof Service s) {
        assertEquals(s.getSpec().getPorts(), ((Service) back).getSpec().getPorts());
      } else if (o instanceof ConfigMap c) {
        assertEquals(c.getData(), ((ConfigMap) back).getData());
      }
    }
  }

  @Test
  void corporateRendersToObjectsTheApiAccepts(@TempDir Path tmp) throws Exception {
    Path file = CONFIGS.resolve("corporate.yml");
    Run r = emu("k8s", "render", file.toString(), "-o", tmp.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("corporate.k8s.yaml"), r.out());
    String yaml = Files.readString(tmp.resolve("corporate.k8s.yaml"));
    List<HasMetadata> objects = parse(yaml);
    Topology topo = TopologyLoader.load(file);
    // Namespace, Secret, the name table's ConfigMap, per node a Secret, ConfigMap, Service and Pod, the control
    // ConfigMap and Deployment, the NetworkPolicy
    assertEquals(3 + 4 * topo.nodes().size() + 3, objects.size());
    assertTrue(objects.get(0) instanceof Namespace, "the namespace first");
    assertEquals("emu-corporate", objects.get(0).getMetadata().getName());
    checkLab(topo, objects, "emu-corporate", K8sManifests.DEFAULT_IMAGE, tmp);
    apply(yaml, objects);
    assertNotNull(client.namespaces().withName("emu-corporate").get());
    assertNotNull(client.pods().inNamespace("emu-corporate").withName("payroll").get());
    assertEquals(topo.nodes().size(), client.services().inNamespace("emu-corporate")
        .withLabel("emu.lab", "corporate").list().getItems().size());
  }

  /**
   * The image the pods run is built to run as the user the pods name: runAsNonRoot refuses an
   * image whose user is root, and the fsGroup that reads the Secret is that user's group.
   */
  @Test
  void theImageRunsAsThePodsUnprivilegedUser() throws Exception {
    List<String> users = Files.readAllLines(CONFIGS.resolveSibling("Dockerfile")).stream()
        .filter(l -> l.startsWith("USER ")).toList();
    assertEquals(List.of("USER " + K8sManifests.UID + ":" + K8sManifests.UID), users);
  }

  @Test
  void internetToStandardOutputWithImageAndNamespace(@TempDir Path tmp) throws Exception {
    Path file = CONFIGS.resolve("internet.yml");
    Run r = emu("k8s", "render", file.toString(), "-o", "-", "--image", "registry.example/emu:0.1",
        "--namespace", "labs", "--seed", "42");
    assertEquals(0, r.code(), r.err());
    List<HasMetadata> objects = parse(r.out());
    assertTrue(of(objects, Namespace.class).isEmpty(), "a namespace given is not created");
    checkLab(TopologyLoader.load(file), objects, "labs", "registry.example/emu:0.1", tmp);
    ConfigMap home = of(objects, ConfigMap.class).stream().filter(c -> c.getData().containsKey("node.json"))
        .findFirst().orElseThrow();
    assertTrue(home.getData().get("node.json").contains("\"seed\" : 42"), home.getData().get("node.json"));
    apply(r.out(), objects);
  }

  static final String UNDERSCORES = """
      name: under_score
      topology:
        defaults: {kind: host}
        nodes:
          web_1:
            interfaces: {eth0: {address: 10.0.0.1/24, port: 45000}}
          web_2:
            interfaces: {eth0: {address: 10.0.0.2/24}, eth1: {address: 10.9.0.2/24}}
          lan_sw: {kind: switch}
        links:
          - endpoints: ["web_1:eth0", "lan_sw:p1"]
          - endpoints: ["web_2:eth0", "lan_sw:p2"]
      scenario:
        - web_1: ping -c 1 web_2
      """;

  @Test
  void underscoresBecomeDashesAndUnlinkedInterfacesGetNoPort(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("u.yml");
    Files.writeString(file, UNDERSCORES);
    Run r = emu("k8s", "render", file.toString(), "-o", "-");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("web_1:eth0: port 45000 applies to local labs"), r.err());
    List<HasMetadata> objects = parse(r.out());
    checkLab(TopologyLoader.load(file), objects, "emu-under-score", K8sManifests.DEFAULT_IMAGE, tmp);
    assertEquals(Set.of("web-1", "web-2", "lan-sw"), of(objects, Service.class).stream()
        .map(s -> s.getMetadata().getName()).collect(Collectors.toSet()));
    apply(r.out(), objects);
  }

  @Test
  void theCheckCatchesFieldsTheModelDoesNotKnow() {
    String doc = """
        apiVersion: v1
        kind: Pod
        metadata: {name: x}
        spec:
          containers:
          - name: c
            image: i
            portz: [{containerPort: 1}]
        """;
    var e = org.junit.jupiter.api.Assertions.assertThrows(org.opentest4j.AssertionFailedError.class, () -> parse(doc));
    assertTrue(e.getMessage().contains("portz"), e.getMessage());
  }

  @Test
  void aBrokenTopologyExits2WithTheLoadersMessage(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("bad.yml");
    Files.writeString(file, UNDERSCORES.replace("lan_sw:p2", "nowhere:p2"));
    Run r = emu("k8s", "render", file.toString(), "-o", "-");
    assertEquals(2, r.code());
    assertEquals("", r.out());
    Run v = emu("validate", file.toString());
    assertEquals(2, v.code());
    assertEquals(v.err(), r.err(), "the same report as ./emu validate");
    assertTrue(r.err().contains("nowhere"), r.err());
  }

  @Test
  void aLinuxNodeIsRefusedByName(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("linux.yml");
    Files.writeString(file, """
        name: mixed
        topology:
          defaults: {kind: host}
          nodes:
            h1:
              interfaces: {eth0: {address: 10.0.0.1/24}}
            kern:
              kind: linux
              interfaces: {eth0: {address: 10.0.0.2/24}}
          links:
            - endpoints: ["h1:eth0", "kern:eth0"]
        """);
    Run r = emu("k8s", "render", file.toString(), "-o", tmp.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("node kern is kind linux"), r.err());
    assertTrue(r.err().contains("host, router and switch nodes only"), r.err());
    assertFalse(Files.exists(tmp.resolve("mixed.k8s.yaml")));
  }

  @Test
  void namesThatCollideOnKubernetesAreRefused(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("c.yml");
    Files.writeString(file, UNDERSCORES.replace("web_2", "web-1"));
    Run r = emu("k8s", "render", file.toString(), "-o", "-");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("nodes web_1 and web-1 would both be named 'web-1'"), r.err());
  }
}
