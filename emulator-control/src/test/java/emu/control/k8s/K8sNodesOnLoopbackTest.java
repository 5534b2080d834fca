package emu.control.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.plan.PortAllocator;
import emu.control.process.ControlTls;
import emu.control.process.NodeClient;
import emu.control.process.NodeProcesses;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered node configurations run: two node JVMs started as the pods start them
 * ({@code NodeMain node.json secret.json}) with their peers given by host name, and the
 * control plane's runner pinging one from the other. On one machine every pod's address is
 * 127.0.0.1, so the fixed ports are swapped for free ones, and the Service names for
 * {@code localhost}, a name the node must resolve like a Service's.
 *
 * <p>The pods' management APIs speak TLS only: the control plane reaches them with the Secret's
 * client certificate (at {@code localhost}, a name pod certificates carry for
 * {@code kubectl port-forward}); curl, dialling the Service's name, gets the node's answer with
 * that certificate, and none without it or over plain HTTP.
 */
class K8sNodesOnLoopbackTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void renderedConfigurationsRunAndTheControlPlaneRunsTheScenario(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pair.yml");
    Files.writeString(file, """
        name: pair
        topology:
          defaults: {kind: host}
          nodes:
            h_1: {interfaces: {eth0: {address: 10.0.0.1/24}}}
            h_2: {interfaces: {eth0: {address: 10.0.0.2/24}}}
          links:
            - endpoints: ["h_1:eth0", "h_2:eth0"]
        scenario:
          - h_1: ping -c 2 h_2
        """);
    Topology topo = TopologyLoader.load(file);
    List<ObjectNode> docs = K8sManifests.render(topo, "emu:test", null);
    JsonNode secret = named(docs, K8sManifests.SECRET);
    emu.control.plan.NodeKeys keys = emu.control.plan.NodeKeys.fromHex(
        secret.path("stringData").path(K8sManifests.MASTER_KEY).asText());
    // the lab's name table where the pods mount it, beside the nodes' folder: h_1 pings h_2 by name through it
    Files.createDirectories(dir.resolve("node"));
    Files.createDirectories(dir.resolve("hosts"));
    Files.writeString(dir.resolve("hosts").resolve(emu.node.config.HostsTable.FILE),
        named(docs, K8sManifests.HOSTS).path("data").path(emu.node.config.HostsTable.FILE).asText());
    Map<String, Integer> linkPort = new HashMap<>();
    Map<String, Integer> mgmtPort = new HashMap<>();
    try (PortAllocator ports = new PortAllocator()) {
      for (String k : List.of("h-1", "h-2")) {
        linkPort.put(k, ports.udp("127.0.0.1", null, k));
        mgmtPort.put(k, ports.tcp("127.0.0.1", null, k));
      }
    }
    List<Process> nodes = new ArrayList<>();
    try {
      for (String k : List.of("h-1", "h-2")) {
        ObjectNode cm = docs.stream().filter(d -> d.path("metadata").path("name").asText().equals("emu-node-" + k)
            && d.path("kind").asText().equals("ConfigMap")).findFirst().orElseThrow();
        JsonNode own = docs.stream().filter(d -> d.path("metadata").path("name").asText().equals("emu-node-" + k)
            && d.path("kind").asText().equals("Secret")).findFirst().orElseThrow();
        ObjectNode cfg = (ObjectNode) JSON.readTree(cm.path("data").path("node.json").asText());
        ObjectNode eth0 = (ObjectNode) cfg.path("interfaces").get(0);
        assertEquals("0.0.0.0:" + K8sManifests.LINK_PORT_BASE, eth0.path("bind").asText());
        String peer = eth0.path("peer").asText();
        String peerSvc = peer.substring(0, peer.indexOf(':'));
        assertEquals(k.equals("h-1") ? "h-2" : "h-1", peerSvc);
        eth0.put("bind", "127.0.0.1:" + linkPort.get(k));
        eth0.put("peer", "localhost:" + linkPort.get(peerSvc));
        ((ObjectNode) cfg.path("management")).put("host", "127.0.0.1").put("port", mgmtPort.get(k));
        cfg.put("outputDir", dir.toString());
        cfg.put("parentPid", ProcessHandle.current().pid());
        Path cfgFile = dir.resolve("node").resolve(k + ".json");
        Path secretFile = dir.resolve(k + ".secret.json");
        Files.writeString(cfgFile, cfg.toString());
        Files.writeString(secretFile, own.path("stringData").path("node.json").asText());
        List<String> cmd = new ArrayList<>(NodeProcesses.command(cfgFile, false));
        cmd.add(secretFile.toString());
        nodes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(k + ".log").toFile())
            .start());
      }
      // the control pod's files from the Secret, where the lab file says
      Path tls = dir.resolve("tls");
      Files.createDirectories(tls);
      for (String f : List.of("ca.pem", "control.pem", "control.key")) {
        Files.writeString(tls.resolve(f), secret.path("stringData").path(f).asText());
      }
      ObjectNode lab = JSON.createObjectNode().put("lab", "pair").put("tls", tls.toString());
      lab.putArray("nodes").addObject().put("name", "h_1").put("mgmt", "localhost:" + mgmtPort.get("h-1"));
      ((com.fasterxml.jackson.databind.node.ArrayNode) lab.get("nodes")).addObject().put("name", "h_2")
          .put("mgmt", "localhost:" + mgmtPort.get("h-2"));
      lab.putArray("scenario").addObject().put("node", "h_1").put("command", "ping -c 2 h_2");
      Path labFile = dir.resolve("lab.json");
      Files.writeString(labFile, lab.toString());

      K8sControl control = K8sControl.load(labFile, keys);
      StringWriter out = new StringWriter();
      assertTrue(control.awaitNodes(90_000, new PrintWriter(out, true)), () -> out + logs(dir));
      assertEquals(0, control.runScenario(new PrintWriter(out, true)), () -> out + logs(dir));
      assertTrue(out.toString().contains("2 packets transmitted, 2 received"), out::toString);
      assertTrue(out.toString().contains("result: 1/1 steps succeeded"), out::toString);
      String log = Files.readString(dir.resolve("h-1.log"));
      assertTrue(log.contains("node h_1: interface eth0: link peer localhost is 127.0.0.1:" + linkPort.get("h-2")), log);
      // curl dialling the Service's name (h-1, resolved here to loopback) with the control plane's
      // certificate gets through to the API (which refuses it 401: curl cannot sign a request with
      // the node's key), verifying the node's certificate for that name; without a client
      // certificate, or over plain HTTP, it gets no answer from the API
      String h1 = "h-1:" + mgmtPort.get("h-1");
      List<String> resolve = List.of("--resolve", h1 + ":127.0.0.1", "--cacert", tls.resolve("ca.pem").toString());
      String ok = curl(dir, resolve, "--cert", tls.resolve("control.pem").toString(), "--key",
          tls.resolve("control.key").toString(), "https://" + h1 + "/health");
      assertTrue(ok.startsWith("exit 0\nHTTP/1.1 401"), ok);
      String anonymous = curl(dir, resolve, "https://" + h1 + "/health");
      assertTrue(!anonymous.startsWith("exit 0") && !anonymous.contains("HTTP/1.1") && anonymous.contains("alert"),
          anonymous);
      String plain = curl(dir, resolve, "http://" + h1 + "/health");
      assertTrue(plain.startsWith("exit 0\nHTTP/1.1 400") && plain.contains("HTTPS only"), plain);

      // another node's key is refused: each node took its own (derived) key from its own Secret; and keys
      // derived from another master open nothing
      StringWriter bad = new StringWriter();
      for (NodeClient wrong : List.of(
          new NodeClient("h_1", "localhost:" + mgmtPort.get("h-1"), keys.of("h_2"), ControlTls.load(tls)),
          new NodeClient("h_1", "localhost:" + mgmtPort.get("h-1"), emu.control.plan.NodeKeys.generate().of("h_1"),
              ControlTls.load(tls)))) {
        try {
          wrong.exec(List.of("ip", "addr"), l -> bad.append(l));
          throw new AssertionError("accepted a key not the node's: " + bad);
        } catch (java.io.IOException e) {
          assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        }
      }
    } finally {
      for (String k : List.of("h-1", "h-2")) {
        if (mgmtPort.containsKey(k)) {
          try {
            new NodeClient(k, "127.0.0.1:" + mgmtPort.get(k), keys.of(k.replace('-', '_')),
                ControlTls.load(dir.resolve("tls"))).shutdown();
          } catch (Exception ignored) {
            // it may not have started
          }
        }
      }
      for (Process p : nodes) {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** curl's exit status, its output (headers and body) and its errors, as "exit N\nOUTPUT\nERRORS". */
  private static String curl(Path dir, List<String> options, String... more) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "10"));
    cmd.addAll(options);
    cmd.addAll(List.of(more));
    Path out = dir.resolve("curl.out");
    Path err = dir.resolve("curl.err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "curl did not finish");
    return "exit " + p.exitValue() + "\n" + Files.readString(out) + "\n" + Files.readString(err);
  }

  private static String logs(Path dir) {
    return "\nh-1:\n" + NodeProcesses.tail(dir.resolve("h-1.log"), 20) + "\nh-2:\n"
        + NodeProcesses.tail(dir.resolve("h-2.log"), 20);
  }

  private static JsonNode named(List<ObjectNode> docs, String name) {
    return docs.stream().filter(d -> d.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
  }
}
