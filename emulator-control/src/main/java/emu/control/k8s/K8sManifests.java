package emu.control.k8s;

import emu.control.plan.LabPlan;
import emu.control.plan.LabPlanner;
import emu.control.plan.LabSecrets;
import emu.control.plan.NodeKeys;
import emu.control.plan.PlannedNode;
import emu.control.plan.PortAllocator;
import emu.control.process.ControlTls;
import emu.control.process.NodeProcesses;
import emu.control.topology.IfaceSpec;
import emu.control.topology.LinkSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.ScenarioStep;
import emu.control.topology.Topology;
import emu.node.config.HostsTable;
import emu.node.config.NodeConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code ./emu k8s render}: a topology as Kubernetes objects that {@code kubectl apply -f}
 * creates. In file order (kubectl applies in order, so the namespace comes first):
 *
 * <ul>
 *   <li>the Namespace {@code emu-LAB}, unless {@code --namespace} names one (which must exist);
 *   <li>the Secret {@code emu-secrets}, the control pod's: the lab's master key
 *       ({@value #MASTER_KEY}, from which every node's own key is derived, see {@link NodeKeys}),
 *       the control plane's client certificate and key and the management CA's certificate
 *       (management TLS);
 *   <li>the ConfigMap {@value #HOSTS}: the lab's name table ({@link HostsTable}), once, mounted
 *       into every node pod;
 *   <li>per node a Secret {@code emu-node-NODE} with the parts of its configuration that are
 *       secret (its key, its management TLS key, an HTTPS service's private key) as a JSON object
 *       the node merges into its configuration, mounted into that node's pod only; a ConfigMap
 *       {@code emu-node-NODE} with {@code node.json}, the configuration {@link LabPlanner} makes
 *       for a local lab (minus those secrets), with link sockets rewritten for the cluster; a
 *       headless Service {@code NODE} so that peers resolve the node's pod by its name; and a Pod
 *       {@code NODE} running {@code emu.node.NodeMain};
 *   <li>the control plane: a ConfigMap {@code emu-control} (the nodes' names and kinds, and the
 *       scenario) and a Deployment {@code emu-control} running {@code emu k8s control},
 *       which waits for every node, runs the scenario and stays up for {@code emu k8s exec};
 *   <li>the NetworkPolicy {@code emu-nodes}: a node pod admits the control pod on its management
 *       port and the lab's node pods on its link ports, nothing else.
 * </ul>
 *
 * <p>So no object grows with the lab but the name table (some 26 bytes a node), the control
 * pod's node list (some 42 bytes a node) and the NetworkPolicy (one entry per link port number,
 * bounded by the most interfaces a node has): a node's ConfigMap and Secret are the same size in
 * a lab of 100 nodes as in one of 10,000 (ManifestSizeTest; BENCHMARKS.md).
 *
 * <p>Management APIs speak TLS only, with client certificates: each node's certificate (from
 * the lab's management CA, see LabSecrets) is for its Service's names, which the control pod dials and verifies, and the
 * node accepts only the control plane's client certificate from the same CA. The NetworkPolicy
 * keeps other pods from the port; TLS keeps the token and commands from being read or forged
 * on the way, where the cluster's network is shared or not policed.
 *
 * <p>Every pod runs as the image's unprivileged user {@link #UID} with a read-only root file
 * system, no privilege escalation and no capabilities: an emu node is a user-space program (its
 * links are UDP sockets on unprivileged ports, its interfaces Java objects), so it needs no
 * {@code NET_ADMIN} or raw sockets. What a node writes goes to emptyDir volumes.
 *
 * <p>Ports: each pod has its own IP address, so ports need not be allocated as on one host:
 * interface number {@code i} of a node (in file order, a switch's ports after) listens on UDP
 * {@link #LINK_PORT_BASE}{@code + i}, and every management API on TCP {@link #MGMT_PORT}. Ports
 * and bind addresses pinned in the topology are for local labs and are not used here. Sockets
 * bind 0.0.0.0 (the pod's address); a link's peer is {@code SERVICE:PORT}, resolved by the node
 * when it starts.
 *
 * <p>Written with Jackson, not the fabric8 model, which would add megabytes to the jar that
 * every node JVM loads; the tests check the output against the fabric8 model instead.
 */
public final class K8sManifests {
  public static final int LINK_PORT_BASE = 40000;
  public static final int MGMT_PORT = 9900;
  public static final String DEFAULT_IMAGE = "emu:0.1";
  /** Where the image keeps the jar (see the Dockerfile). */
  public static final String JAR = "/opt/emu/emu.jar";
  /**
   * The JVM of the image's {@code java} (the Dockerfile's {@code eclipse-temurin:17-jre}, every
   * build of which since October 2023 is 17.0.9 or later): node pods get the options of that
   * version, whichever JDK renders the manifests or runs local nodes.
   */
  static final Runtime.Version IMAGE_JAVA = Runtime.Version.parse("17.0.9");
  static final String SECRET = "emu-secrets";
  /** The control Secret's entry with the lab's master key (hex), from which every node's key is derived. */
  public static final String MASTER_KEY = "node-key-master";
  /** The ConfigMap with the lab's name table, and where node pods mount it. */
  static final String HOSTS = "emu-hosts";
  static final String HOSTS_DIR = "/etc/emu/hosts";
  static final String CONTROL = "emu-control";
  static final String OUT_DIR = "/var/emu/out";
  /** How long a node waits for its peers' names to resolve before exiting (and being restarted). */
  static final int PEER_RESOLVE_SECONDS = 120;
  /** The image's user (see the Dockerfile): no pod runs as root. */
  public static final int UID = 10001;
  static final String NETWORK_POLICY = "emu-nodes";
  /** Where the control pod finds the lab CA and its client certificate and key (from the Secret). */
  static final String CONTROL_TLS_DIR = "/etc/emu/tls";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .build());
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private K8sManifests() {}

  /** The lab's manifests, one object per document, with seed 1. */
  public static List<ObjectNode> render(Topology topo, String image, String namespace) throws K8sException,
      IOException {
    return render(topo, image, namespace, 1, true);
  }

  /**
   * The lab's manifests, one object per document.
   *
   * @param seed every node's random choices and impairments, as {@code up --seed}
   * @param seeded true if {@code seed} came from {@code --seed}: the nodes derive their secrets
   *     (DNS IDs and ports, TCP ISNs) from it too, else from a CSPRNG
   */
  public static List<ObjectNode> render(Topology topo, String image, String namespace, long seed, boolean seeded)
      throws K8sException, IOException {
    for (NodeSpec n : topo.nodes()) {
      if (!n.isEmu()) {
        throw new K8sException("node " + n.name() + " is kind " + n.kind() + ": "
            + (n.isLinux() ? "a linux node is a network namespace on the machine that runs emu, not a process that "
                + "can run in a pod" : "an external peer (QEMU, GNS3) lives outside the lab, at an address on the "
                + "machine that runs emu")
            + "; ./emu k8s render handles host, router and switch nodes only (run this lab with ./emu up)");
      }
    }
    Map<String, String> names = K8sNames.nodes(topo);
    String lab = K8sNames.map(topo.name());
    if (!K8sNames.DNS_1123.matcher(lab).matches() || lab.length() > 59) {
      throw new K8sException("lab " + topo.name() + ": '" + lab + "' cannot be a Kubernetes label value or part of a "
          + "namespace name (lowercase letters, digits and '-', ending with a letter or digit); rename the lab");
    }
    boolean ownNamespace = namespace == null;
    String ns = ownNamespace ? "emu-" + lab : namespace;
    if (!K8sNames.DNS_1123.matcher(ns).matches()) {
      throw new K8sException("namespace '" + ns + "' is not a valid DNS-1123 label");
    }
    Planned planned = plan(topo, seed, seeded, n -> managementNames(names.get(n.name()), ns));
    LabPlan plan = planned.plan();

    // Where each link end listens in the cluster, and its peer's Service and port.
    Map<String, Integer> portOf = new HashMap<>();
    for (NodeSpec n : topo.nodes()) {
      int i = 0;
      for (IfaceSpec f : n.interfaces()) {
        portOf.put(n.name() + ":" + f.name(), LINK_PORT_BASE + i++);
      }
    }
    Map<String, String> peerOf = new HashMap<>();
    for (LinkSpec l : topo.links()) {
      peerOf.put(l.a().toString(), names.get(l.b().node()) + ":" + portOf.get(l.b().toString()));
      peerOf.put(l.b().toString(), names.get(l.a().node()) + ":" + portOf.get(l.a().toString()));
    }

    List<ObjectNode> docs = new ArrayList<>();
    if (ownNamespace) {
      ObjectNode nsObj = object("v1", "Namespace", ns, null, labels(lab, null, null));
      docs.add(nsObj);
    }
    ObjectNode secret = object("v1", "Secret", SECRET, ns, labels(lab, null, "control"));
    secret.put("type", "Opaque");
    ObjectNode secretData = secret.putObject("stringData");
    // The control pod signs its requests to each node with that node's key (emu.node.mgmt.MgmtAuth),
    // which it derives from the master; there is no lab-wide token on Kubernetes: no control API runs there.
    NodeKeys keys = NodeKeys.generate();
    secretData.put(MASTER_KEY, keys.hex());
    secretData.put(LabSecrets.CA_CERT, planned.tls().caPem());
    secretData.put(LabSecrets.CONTROL_CERT, planned.tls().certChainPem());
    secretData.put(LabSecrets.CONTROL_KEY, planned.tls().keyPem());
    docs.add(secret);
    ObjectNode hostsCm = object("v1", "ConfigMap", HOSTS, ns, labels(lab, null, "node"));
    hostsCm.putObject("data").put(HostsTable.FILE, plan.hosts().json());
    docs.add(hostsCm);

    SortedSet<Integer> linkPorts = new TreeSet<>();
    List<ObjectNode> configMaps = new ArrayList<>();
    List<ObjectNode> nodeSecrets = new ArrayList<>();
    List<ObjectNode> services = new ArrayList<>();
    List<ObjectNode> pods = new ArrayList<>();
    ArrayNode controlNodes = F.arrayNode();
    for (PlannedNode pn : plan.nodes()) {
      String k = names.get(pn.name());
      List<Port> ports = new ArrayList<>();
      NodeConfig c = pn.config();
      List<NodeConfig.Iface> ifaces = new ArrayList<>();
      for (NodeConfig.Iface f : c.interfaces()) {
        String key = pn.name() + ":" + f.name();
        String peer = peerOf.get(key);
        if (peer == null) {
          ifaces.add(f.withLink(null, null));
          continue;
        }
        ports.add(new Port(f.name(), portOf.get(key), "UDP"));
        linkPorts.add(portOf.get(key));
        ifaces.add(f.withLink("0.0.0.0:" + portOf.get(key), peer));
      }
      ports.add(new Port("emu-mgmt", MGMT_PORT, "TCP"));
      String key = keys.of(pn.name());
      NodeConfig cluster = c.withInterfaces(ifaces).withPlacement(
          new NodeConfig.Management("0.0.0.0", MGMT_PORT, key, c.management().tls()), OUT_DIR, null);
      if (c.hostsFile() != null) {
        // relative to node.json's folder (/etc/emu/node), so that the node finds it wherever both are mounted
        cluster = cluster.withHosts(c.hosts(), c.hosts6(), "../hosts/" + HostsTable.FILE);
      }
      // The secrets go to the Secret; the node merges them back (NodeMain CONFIG SECRETS).
      ObjectNode cfg = NodeConfig.JSON.valueToTree(cluster);
      ObjectNode secrets = F.objectNode();
      ObjectNode mgmt = (ObjectNode) cfg.get("management");
      mgmt.remove("token");
      ObjectNode mgmtSecrets = secrets.putObject("management").put("token", key);
      mgmtSecrets.putObject("tls").set("keyPem", ((ObjectNode) mgmt.get("tls")).remove("keyPem"));
      if (cfg.get("https") instanceof ObjectNode h && h.has("keyPem")) {
        secrets.putObject("https").set("keyPem", h.remove("keyPem"));
      }
      ObjectNode nodeSecret = object("v1", "Secret", "emu-node-" + k, ns, labels(lab, k, "node"));
      nodeSecret.put("type", "Opaque");
      nodeSecret.putObject("stringData").put("node.json", JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(secrets));
      nodeSecrets.add(nodeSecret);

      ObjectNode cm = object("v1", "ConfigMap", "emu-node-" + k, ns, labels(lab, k, "node"));
      cm.putObject("data").put("node.json", NodeConfig.JSON.writeValueAsString(cfg));
      configMaps.add(cm);
      services.add(service(k, ns, lab, ports));
      pods.add(pod(k, ns, lab, image, ports));
      // name and kind only, on one line: the control pod derives the Service and port (K8sControl), so that
      // the lab file stays under 1 MiB at 10,000 nodes (it was some 120 bytes a node, indented)
      controlNodes.addObject().put("name", pn.name()).put("kind", pn.kind());
    }
    docs.addAll(nodeSecrets);
    docs.addAll(configMaps);

    ObjectNode labFile = F.objectNode();
    labFile.put("lab", topo.name());
    labFile.put("namespace", ns);
    labFile.put("tls", CONTROL_TLS_DIR);
    labFile.set("nodes", controlNodes);
    ArrayNode steps = labFile.putArray("scenario");
    for (ScenarioStep s : topo.scenario()) {
      steps.addObject().put("node", s.node()).put("command", s.command());
    }
    ObjectNode controlCm = object("v1", "ConfigMap", CONTROL, ns, labels(lab, null, "control"));
    controlCm.putObject("data").put("lab.json", JSON.writeValueAsString(labFile));
    docs.add(controlCm);
    docs.add(networkPolicy(ns, lab, linkPorts));
    docs.addAll(services);
    docs.addAll(pods);
    docs.add(control(ns, lab, image));
    return docs;
  }

  /** Multi-document YAML, as kubectl reads it. */
  public static String yaml(List<ObjectNode> docs) throws IOException {
    StringBuilder b = new StringBuilder();
    for (ObjectNode d : docs) {
      String y = YAML.writeValueAsString(d);
      b.append(y.startsWith("---") ? y : "---\n" + y);
    }
    return b.toString();
  }

  /**
   * The names of a pod's management certificate: its Service's, short (what the control pod
   * dials) and qualified (what other tools in the cluster may dial, with the default cluster
   * domain), and {@code localhost} and 127.0.0.1, for {@code kubectl port-forward pod/NODE 9900},
   * which connects to the pod's loopback. No other lab's control plane trusts this lab's CA, so
   * those two names impersonate nothing.
   */
  private static List<String> managementNames(String service, String ns) {
    return List.of(service, service + "." + ns, service + "." + ns + ".svc", service + "." + ns + ".svc.cluster.local",
        "localhost", "127.0.0.1");
  }

  /** A plan and the control plane's side of its management TLS. */
  private record Planned(LabPlan plan, ControlTls tls) {}

  /**
   * The local planner's output, reused so that a pod runs exactly the configuration a local
   * node would (addresses, MACs, routes, names, DNS zones, certificates), with no port bound
   * here and the lab's certificates made in a temporary folder that is removed after; every
   * node's management API with TLS for {@code managementNames}.
   */
  private static Planned plan(Topology topo, long seed, boolean seeded,
                              Function<NodeSpec, List<String>> managementNames) throws IOException {
    Path tmp = Files.createTempDirectory("emu-k8s-");
    try {
      PortAllocator noPorts = new PortAllocator() {
        private int next = 1;

        @Override
        public int udp(String host, Integer pinned, String owner) {
          return next++; // replaced by the cluster's fixed ports
        }

        @Override
        public int tcp(String host, Integer pinned, String owner) {
          return next++;
        }
      };
      LabPlan plan = LabPlanner.plan(topo, tmp.resolve("state"), tmp.resolve("out"), seed, seeded, true, true, null,
          noPorts, managementNames);
      return new Planned(plan, ControlTls.load(LabSecrets.pki(tmp.resolve("state"))));
    } finally {
      try (var s = Files.walk(tmp)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private record Port(String name, int port, String protocol) {}

  private static ObjectNode object(String apiVersion, String kind, String name, String namespace,
                                   ObjectNode labels) {
    ObjectNode o = F.objectNode();
    o.put("apiVersion", apiVersion);
    o.put("kind", kind);
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    meta.set("labels", labels);
    return o;
  }

  private static ObjectNode labels(String lab, String node, String component) {
    ObjectNode l = F.objectNode();
    l.put("app.kubernetes.io/part-of", "emu");
    if (component != null) {
      l.put("app.kubernetes.io/component", component);
    }
    l.put("emu.lab", lab);
    if (node != null) {
      l.put("emu.node", node);
    }
    return l;
  }

  private static ObjectNode selector(String lab, String node) {
    ObjectNode s = F.objectNode();
    s.put("emu.lab", lab);
    s.put("emu.node", node);
    return s;
  }

  /**
   * Headless (no cluster IP, no proxying): the name resolves straight to the pod's address, from
   * which its datagrams come, as the peer check wants. Not-ready pods are published so that
   * peers resolve a node as soon as its pod has an address, not only once it is ready.
   */
  private static ObjectNode service(String k, String ns, String lab, List<Port> ports) {
    ObjectNode s = object("v1", "Service", k, ns, labels(lab, k, "node"));
    ObjectNode spec = s.putObject("spec");
    spec.put("clusterIP", "None");
    spec.put("publishNotReadyAddresses", true);
    spec.set("selector", selector(lab, k));
    ArrayNode ps = spec.putArray("ports");
    for (Port p : ports) {
      ps.addObject().put("name", p.name()).put("protocol", p.protocol()).put("port", p.port())
          .put("targetPort", p.port());
    }
    return s;
  }

  private static ObjectNode pod(String k, String ns, String lab, String image, List<Port> ports) {
    ObjectNode pod = object("v1", "Pod", k, ns, labels(lab, k, "node"));
    ObjectNode spec = pod.putObject("spec");
    spec.put("restartPolicy", "Always"); // a node that gave up waiting for its peers starts again
    spec.put("enableServiceLinks", false); // a Service per node would give every pod a page of env variables
    ObjectNode c = spec.putArray("containers").addObject();
    c.put("name", "node");
    c.put("image", image);
    c.put("imagePullPolicy", "IfNotPresent");
    ArrayNode cmd = c.putArray("command");
    cmd.add("java");
    NodeProcesses.baseJvmOptions(IMAGE_JAVA).forEach(cmd::add);
    cmd.add("-Demu.peerResolveSeconds=" + PEER_RESOLVE_SECONDS);
    cmd.add("-cp").add(JAR).add("emu.node.NodeMain").add("/etc/emu/node/node.json").add("/etc/emu/secret/node.json");
    ArrayNode cp = c.putArray("ports");
    for (Port p : ports) {
      cp.addObject().put("name", p.name()).put("containerPort", p.port()).put("protocol", p.protocol());
    }
    ObjectNode probe = c.putObject("readinessProbe");
    probe.putObject("tcpSocket").put("port", "emu-mgmt");
    probe.put("periodSeconds", 2);
    // -Xmx128m plus metaspace, code cache, thread stacks and Netty's direct buffers
    ObjectNode res = c.putObject("resources");
    res.putObject("requests").put("cpu", "50m").put("memory", "192Mi");
    res.putObject("limits").put("memory", "384Mi");
    c.set("securityContext", containerSecurity());
    spec.set("securityContext", podSecurity());
    ArrayNode mounts = c.putArray("volumeMounts");
    mounts.addObject().put("name", "config").put("mountPath", "/etc/emu/node").put("readOnly", true);
    mounts.addObject().put("name", "secret").put("mountPath", "/etc/emu/secret").put("readOnly", true);
    mounts.addObject().put("name", "hosts").put("mountPath", HOSTS_DIR).put("readOnly", true);
    mounts.addObject().put("name", "out").put("mountPath", OUT_DIR);
    mounts.addObject().put("name", "tmp").put("mountPath", "/tmp");
    ArrayNode vols = spec.putArray("volumes");
    vols.addObject().put("name", "config").putObject("configMap").put("name", "emu-node-" + k);
    ObjectNode sv = vols.addObject().put("name", "secret").putObject("secret");
    sv.put("secretName", "emu-node-" + k); // its own: a node pod sees no other node's secrets
    sv.put("defaultMode", 0400);
    vols.addObject().put("name", "hosts").putObject("configMap").put("name", HOSTS);
    vols.addObject().put("name", "out").putObject("emptyDir");
    vols.addObject().put("name", "tmp").putObject("emptyDir").put("sizeLimit", "64Mi");
    return pod;
  }

  /**
   * The pod's user and group, and {@code fsGroup}: the Secret's file is mode 0400, and the kubelet
   * gives the fsGroup read access to it, so the node's unprivileged user can read its key.
   */
  private static ObjectNode podSecurity() {
    ObjectNode s = F.objectNode();
    s.put("runAsNonRoot", true);
    s.put("runAsUser", UID);
    s.put("runAsGroup", UID);
    s.put("fsGroup", UID);
    s.putObject("seccompProfile").put("type", "RuntimeDefault");
    return s;
  }

  /**
   * Read-only root, no setuid, no capabilities (the Pod Security Standards' "restricted" profile).
   * The JVM writes only to /tmp (Netty's native transport library unpacked there; no
   * hsperfdata, nodes run with -XX:-UsePerfData) and the node to {@link #OUT_DIR} (captures, events): both are emptyDir volumes.
   */
  private static ObjectNode containerSecurity() {
    ObjectNode s = F.objectNode();
    s.put("runAsNonRoot", true);
    s.put("readOnlyRootFilesystem", true);
    s.put("allowPrivilegeEscalation", false);
    s.putObject("capabilities").putArray("drop").add("ALL");
    return s;
  }

  /**
   * Node pods admit the control pod on the management port (the API that stops nodes and
   * changes links, behind TLS with client certificates and each node's key) and the lab's own
   * node pods on the link ports: a link accepts a datagram by its source address and port alone,
   * so only lab pods may send there.
   * Kubernetes always admits traffic from the pod's own node, so the kubelet's readiness probe
   * still reaches the management port. Egress is left open (nodes resolve their peers' names).
   */
  private static ObjectNode networkPolicy(String ns, String lab, SortedSet<Integer> linkPorts) {
    ObjectNode np = object("networking.k8s.io/v1", "NetworkPolicy", NETWORK_POLICY, ns, labels(lab, null, null));
    ObjectNode spec = np.putObject("spec");
    spec.putObject("podSelector").set("matchLabels", component(lab, "node"));
    spec.putArray("policyTypes").add("Ingress");
    ArrayNode ingress = spec.putArray("ingress");
    ObjectNode mgmt = ingress.addObject();
    mgmt.putArray("from").addObject().putObject("podSelector").set("matchLabels", component(lab, "control"));
    mgmt.putArray("ports").addObject().put("protocol", "TCP").put("port", MGMT_PORT);
    if (!linkPorts.isEmpty()) {
      ObjectNode links = ingress.addObject();
      links.putArray("from").addObject().putObject("podSelector").set("matchLabels", component(lab, "node"));
      ArrayNode ps = links.putArray("ports");
      linkPorts.forEach(p -> ps.addObject().put("protocol", "UDP").put("port", p));
    }
    return np;
  }

  private static ObjectNode component(String lab, String component) {
    ObjectNode s = F.objectNode();
    s.put("emu.lab", lab);
    s.put("app.kubernetes.io/component", component);
    return s;
  }

  private static ObjectNode control(String ns, String lab, String image) {
    ObjectNode d = object("apps/v1", "Deployment", CONTROL, ns, labels(lab, null, "control"));
    ObjectNode spec = d.putObject("spec");
    spec.put("replicas", 1);
    ObjectNode match = spec.putObject("selector").putObject("matchLabels");
    match.put("emu.lab", lab);
    match.put("app.kubernetes.io/component", "control");
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").set("labels", labels(lab, null, "control"));
    ObjectNode ps = template.putObject("spec");
    ps.put("enableServiceLinks", false);
    ObjectNode c = ps.putArray("containers").addObject();
    c.put("name", "control");
    c.put("image", image);
    c.put("imagePullPolicy", "IfNotPresent");
    c.putArray("command").add("java").add("-XX:+UseSerialGC").add("-Xmx128m").add("-jar").add(JAR)
        .add("k8s").add("control").add("/etc/emu/control/lab.json");
    ObjectNode env = c.putArray("env").addObject();
    env.put("name", "EMU_NODE_KEY_MASTER");
    env.putObject("valueFrom").putObject("secretKeyRef").put("name", SECRET).put("key", MASTER_KEY);
    ObjectNode res = c.putObject("resources");
    res.putObject("requests").put("cpu", "50m").put("memory", "160Mi");
    res.putObject("limits").put("memory", "320Mi");
    c.set("securityContext", containerSecurity()); // it talks to nodes over HTTPS and writes only /tmp
    ps.set("securityContext", podSecurity());
    ArrayNode mounts = c.putArray("volumeMounts");
    mounts.addObject().put("name", "lab").put("mountPath", "/etc/emu/control").put("readOnly", true);
    mounts.addObject().put("name", "tls").put("mountPath", CONTROL_TLS_DIR).put("readOnly", true);
    mounts.addObject().put("name", "tmp").put("mountPath", "/tmp");
    ArrayNode vols = ps.putArray("volumes");
    vols.addObject().put("name", "lab").putObject("configMap").put("name", CONTROL);
    ObjectNode tv = vols.addObject().put("name", "tls").putObject("secret");
    tv.put("secretName", SECRET);
    tv.put("defaultMode", 0400);
    ArrayNode items = tv.putArray("items");
    for (String f : List.of(LabSecrets.CA_CERT, LabSecrets.CONTROL_CERT, LabSecrets.CONTROL_KEY)) {
      items.addObject().put("key", f).put("path", f);
    }
    vols.addObject().put("name", "tmp").putObject("emptyDir").put("sizeLimit", "64Mi");
    return d;
  }
}
