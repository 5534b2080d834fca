package emu.control.k8s;

import emu.control.plan.NodeKeys;
import emu.control.process.ControlTls;
import emu.control.process.FanOut;
import emu.control.process.NodeClient;
import emu.node.shell.Shell;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The control plane of a lab on Kubernetes, in the {@code emu-control} pod. It reaches each
 * node's management API at {@code SERVICE:9900} over TLS with the lab's client certificate (the
 * files under {@code tls} of the lab file, from the Secret), signing its requests with that
 * node's own key, derived from the lab's master key (from the Secret, as {@code EMU_NODE_KEY_MASTER};
 * see {@link NodeKeys}), the same API {@code ./emu exec} uses on one machine. Node processes are
 * the kubelet's, not its children, so it does not kill, restart, pause or partition them.
 */
public final class K8sControl {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String lab;
  private final Map<String, NodeClient> nodes = new LinkedHashMap<>();
  private final List<String[]> scenario = new ArrayList<>();

  private K8sControl(String lab) {
    this.lab = lab;
  }

  /**
   * Reads the lab file the renderer put in the {@code emu-control} ConfigMap.
   *
   * @param keys the lab's master key, from which each node's is derived
   */
  public static K8sControl load(Path labFile, NodeKeys keys) throws IOException {
    JsonNode j = JSON.readTree(labFile.toFile());
    K8sControl c = new K8sControl(j.path("lab").asText());
    // every pod's management API speaks TLS; the lab CA and the client certificate are the Secret's
    if (!j.hasNonNull("tls")) {
      throw new IOException(labFile + " names no management TLS files (\"tls\"): render the lab again with this emu");
    }
    ControlTls tls = ControlTls.load(Path.of(j.get("tls").asText()));
    for (JsonNode n : j.path("nodes")) {
      String name = n.get("name").asText();
      // the management address is the node's Service and the fixed port, unless the file says otherwise
      String mgmt = n.hasNonNull("mgmt") ? n.get("mgmt").asText()
          : K8sNames.map(name) + ":" + K8sManifests.MGMT_PORT;
      c.nodes.put(name, new NodeClient(name, mgmt, keys.of(name), tls));
    }
    for (JsonNode s : j.path("scenario")) {
      c.scenario.add(new String[] {s.get("node").asText(), s.get("command").asText()});
    }
    return c;
  }

  /** Waits until every node answers its health check; false (after saying which) on timeout. */
  public boolean awaitNodes(long timeoutMs, PrintWriter out) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<String> waiting = new ArrayList<>(nodes.keySet());
    out.println("emu: lab " + lab + ": waiting for " + waiting.size() + " nodes: " + String.join(", ", waiting));
    out.flush();
    while (!waiting.isEmpty()) {
      // all at once (a bounded number at a time): 10,000 pods asked one by one, each not-yet-started
      // one costing its connection timeout, would take longer than the pods do to start
      List<Boolean> up = FanOut.map(waiting, n -> nodes.get(n).healthy());
      List<String> still = new ArrayList<>();
      for (int i = 0; i < waiting.size(); i++) {
        if (up.get(i)) {
          out.println("  " + waiting.get(i) + " ready");
        } else {
          still.add(waiting.get(i));
        }
      }
      out.flush();
      waiting = still;
      if (waiting.isEmpty()) {
        break;
      }
      if (System.currentTimeMillis() > deadline) {
        out.println("emu: nodes not ready after " + timeoutMs / 1000 + " s: " + String.join(", ", waiting)
            + " (kubectl describe pod / kubectl logs NODE say why)");
        out.flush();
        return false;
      }
      sleep(1000);
    }
    return true;
  }

  /** Runs the scenario step by step, printing each step's output; returns the number of failed steps. */
  public int runScenario(PrintWriter out) {
    int failed = 0;
    int i = 0;
    for (String[] step : scenario) {
      i++;
      out.println("── step " + i + "/" + scenario.size() + "  " + step[0] + ": " + step[1]);
      out.flush();
      int exit;
      try {
        exit = exec(step[0], Shell.split(step[1]), line -> {
          out.println("   │ " + line);
          out.flush();
        });
      } catch (IOException | IllegalArgumentException e) {
        out.println("   emu: " + e.getMessage());
        exit = -1;
      }
      if (exit == 0) {
        out.println("   ✔ step " + i + " succeeded");
      } else {
        failed++;
        out.println("   ✘ step " + i + " failed (exit status " + exit + ")");
      }
    }
    out.println("result: " + (scenario.size() - failed) + "/" + scenario.size() + " steps succeeded");
    out.flush();
    return failed;
  }

  /** Runs a command on a node; its exit status. */
  public int exec(String node, List<String> argv, java.util.function.Consumer<String> out) throws IOException {
    NodeClient c = nodes.get(node);
    if (c == null) {
      throw new IllegalArgumentException("lab " + lab + " has no node named " + node + " (it has: "
          + String.join(", ", nodes.keySet()) + ")");
    }
    return c.exec(argv, out);
  }

  /** One line per node: whether its management API answers. */
  public void status(PrintWriter out) {
    List<String> names = new ArrayList<>(nodes.keySet());
    List<Boolean> up = FanOut.map(names, n -> nodes.get(n).healthy());
    for (int i = 0; i < names.size(); i++) {
      out.println(String.format("%-12s %s", names.get(i), up.get(i) ? "running" : "not answering"));
    }
    out.flush();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
