package emu.control.cli;

import emu.control.k8s.K8sControl;
import emu.control.k8s.K8sException;
import emu.control.k8s.K8sManifests;
import emu.control.topology.IfaceSpec;
import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu k8s render|control|exec|status}: a lab on Kubernetes. */
@Command(name = "k8s", mixinStandardHelpOptions = true,
    description = "Run a lab on Kubernetes: render its manifests here; control, exec and status run inside the "
        + "lab's emu-control pod.",
    subcommands = {K8sCommand.Render.class, K8sCommand.ControlPod.class, K8sCommand.Exec.class, K8sCommand.Status.class})
public final class K8sCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "render", mixinStandardHelpOptions = true,
      description = {"Write FILE's lab as Kubernetes manifests for kubectl apply -f: per node a ConfigMap with its "
          + "configuration, a Secret with its keys, a Pod and a headless Service named after it; one ConfigMap with "
          + "the lab's name table; a Secret with the lab's master key and the control plane's certificate; the "
          + "control plane as the Deployment emu-control. Host, router and switch nodes only.",
          "Exit status: 0 written, 2 the topology is unusable (or has nodes that cannot run in a pod)."},
      footer = {"Example: ./emu k8s render configs/corporate.yml -o - | kubectl apply -f -"})
  static final class Render implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "Topology file.")
    String file;

    @CommandLine.Mixin
    AllowFiles allow;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR|-", defaultValue = ".",
        description = "Folder for LAB.k8s.yaml (default: the current one), or - for standard output.")
    String output;

    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = K8sManifests.DEFAULT_IMAGE,
        description = "Image with emu's jar at " + K8sManifests.JAR + " (default: ${DEFAULT-VALUE}; see the "
            + "Dockerfile).")
    String image;

    @Option(names = "--namespace", paramLabel = "NS",
        description = "Namespace to put the lab in, which must exist (default: emu-LAB, created by the manifests).")
    String namespace;

    @Option(names = "--seed", description = "Seed for every node's random choices and impairments (default: random).")
    Long seed;

    @Override
    public Integer call() {
      var o = spec.commandLine().getOut();
      var e = spec.commandLine().getErr();
      Topology topo = Topologies.load(file, allow, e);
      if (topo == null) {
        return Topologies.BAD_TOPOLOGY;
      }
      List<ObjectNode> docs;
      try {
        docs = K8sManifests.render(topo, image, namespace,
            seed != null ? seed : new java.security.SecureRandom().nextLong(), seed != null);
      } catch (K8sException ex) {
        e.println("emu: " + topo.file() + " cannot run on Kubernetes: " + ex.getMessage());
        return Topologies.BAD_TOPOLOGY;
      } catch (IllegalArgumentException ex) { // a bad setting (EMU_TRACE_BUDGET)
        e.println("emu: " + ex.getMessage());
        return Topologies.BAD_TOPOLOGY;
      } catch (IOException ex) {
        e.println("emu: " + ex.getMessage());
        return 1;
      }
      for (String w : pinned(topo)) {
        e.println("warning: " + w);
      }
      try {
        String yaml = K8sManifests.yaml(docs);
        if (output.equals("-")) {
          o.print(yaml);
          o.flush();
          return 0;
        }
        Path dir = Path.of(output);
        Files.createDirectories(dir);
        Path f = dir.resolve(topo.name() + ".k8s.yaml");
        // The Secret in it carries the lab token and the HTTPS servers' private keys: 0600.
        emu.control.plan.LabSecrets.writePrivate(f, yaml);
        String ns = docs.stream().filter(d -> d.path("kind").asText().equals("Secret")).findFirst()
            .map(d -> d.path("metadata").path("namespace").asText()).orElse("?");
        o.println("wrote " + f + ": " + docs.size() + " objects in namespace " + ns + " (image " + image + ")");
        o.println("next: kubectl apply -f " + f + " && kubectl -n " + ns + " logs -f deploy/emu-control");
        return 0;
      } catch (IOException ex) {
        e.println("emu: cannot write the manifests: " + ex.getMessage());
        return 1;
      }
    }

    /** What the file pins that a cluster does not use (every pod has its own address and fixed ports). */
    private static List<String> pinned(Topology topo) {
      List<String> w = new ArrayList<>();
      if (!topo.faults().isEmpty()) {
        w.add("the fault plan (" + topo.faults().size() + " faults) is not run on Kubernetes: the control pod runs the "
            + "scenario and exec only; impairments written on links and interfaces do apply");
      }
      for (NodeSpec n : topo.nodes()) {
        if (n.mgmtPort() != null || !NodeSpec.DEFAULT_BIND.equals(n.bind())) {
          w.add("node " + n.name() + ": mgmt-port and bind apply to local labs; on Kubernetes the management API "
              + "listens on the pod's port " + K8sManifests.MGMT_PORT);
        }
        for (IfaceSpec i : n.interfaces()) {
          if (i.port() != null) {
            w.add(n.name() + ":" + i.name() + ": port " + i.port() + " applies to local labs; on Kubernetes each "
                + "interface listens on a fixed port of its pod (" + K8sManifests.LINK_PORT_BASE + " + its number)");
          }
        }
      }
      return w;
    }
  }

  /** Where the control pod finds the lab and its nodes' keys. */
  static class InPod {
    @Option(names = "--lab-file", paramLabel = "FILE", defaultValue = "/etc/emu/control/lab.json",
        description = "The lab file from the emu-control ConfigMap (default: ${DEFAULT-VALUE}).")
    Path labFile;

    K8sControl load() throws IOException {
      String master = System.getenv("EMU_NODE_KEY_MASTER");
      if (master == null || master.isBlank()) {
        throw new IOException("EMU_NODE_KEY_MASTER is not set (the emu-control pod gets it from the Secret "
            + "emu-secrets' node-key-master)");
      }
      try {
        return K8sControl.load(labFile, emu.control.plan.NodeKeys.fromHex(master));
      } catch (IllegalArgumentException e) {
        throw new IOException("EMU_NODE_KEY_MASTER: " + e.getMessage(), e);
      }
    }
  }

  @Command(name = "control", mixinStandardHelpOptions = true,
      description = "In the emu-control pod: wait for every node, run the scenario, print each step, then stay up "
          + "for 'emu k8s exec' (or exit with --exit).")
  static final class ControlPod implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "LABFILE", defaultValue = "/etc/emu/control/lab.json")
    Path labFile;

    @Option(names = "--exit", description = "Exit when the scenario ends (status 0 only if every step succeeded).")
    boolean exit;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "600",
        description = "How long to wait for the nodes (default: ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Override
    public Integer call() throws Exception {
      var o = spec.commandLine().getOut();
      InPod p = new InPod();
      p.labFile = labFile;
      K8sControl c = p.load();
      int result;
      if (!c.awaitNodes(waitSeconds * 1000, o)) {
        result = 3;
      } else {
        result = c.runScenario(o) == 0 ? 0 : 1;
      }
      if (exit) {
        return result;
      }
      o.println("emu: staying up; run commands with: kubectl exec deploy/emu-control -- emu k8s exec NODE -- CMD");
      o.flush();
      Thread.currentThread().join(); // until the pod is deleted
      return result;
    }
  }

  @Command(name = "exec", mixinStandardHelpOptions = true,
      description = "In the emu-control pod: run a command on a node, as ./emu exec does on one machine.",
      footer = "Example: kubectl -n emu-corporate exec deploy/emu-control -- emu k8s exec client -- ping -c 2 payroll")
  static final class Exec extends InPod implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NODE")
    String node;

    @Parameters(index = "1..*", paramLabel = "COMMAND")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
      var o = spec.commandLine().getOut();
      var e = spec.commandLine().getErr();
      List<String> argv = ExecCommand.argv(command);
      if (argv.isEmpty()) {
        e.println("emu: exec needs a command, e.g. emu k8s exec " + node + " -- ip route");
        return 2;
      }
      try {
        return load().exec(node, argv, line -> {
          o.println(line);
          o.flush();
        });
      } catch (IOException | IllegalArgumentException ex) {
        e.println("emu: " + ex.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "In the emu-control pod: whether each node's management API answers.")
  static final class Status extends InPod implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try {
        load().status(spec.commandLine().getOut());
        return 0;
      } catch (IOException ex) {
        spec.commandLine().getErr().println("emu: " + ex.getMessage());
        return 1;
      }
    }
  }
}
