package emu.control.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a running lab leaves in its state folder ({@code lab.json}, mode 0600 because it holds
 * the control API's token and every node's key): enough for another emu command to find, inspect and stop it.
 *
 * @param seeded false if the lab was started without {@code --seed} (its nodes' DNS IDs and
 *     ports and TCP ISNs come from a CSPRNG); true or null (a lab started before this was
 *     recorded, whose nodes derived everything from the seed) if they come from {@code seed}
 */
public record LabState(String name, String topology, String outDir, String stateDir, String token, long seed,
                       String startedAt, List<NodeState> nodes, Controller controller, Boolean seeded) {

  /**
   * One node process of the lab. For a node on another machine {@code pid} is the local ssh
   * session that started it (alive exactly as long as the node) and {@code remote} says where it runs.
   * {@code mgmt} is where its management API listens, as the node reported it on its READY line
   * (port 0 until then; a restarted node gets a new port); {@code key} is the node's own key,
   * which requests to it are signed with (emu.node.mgmt.MgmtAuth), null for a linux node.
   */
  public record NodeState(String name, String kind, long pid, String mgmt, String log, String config, Remote remote,
                          String key) {
    /** A node on the control plane's machine. */
    public NodeState(String name, String kind, long pid, String mgmt, String log, String config) {
      this(name, kind, pid, mgmt, log, config, null, null);
    }

    public NodeState withRemotePid(long remotePid) {
      return new NodeState(name, kind, pid, mgmt, log, config, new Remote(remote.host(), remote.dir(), remotePid), key);
    }

    /** The same node with its management API at {@code port} (of the same host). */
    public NodeState withMgmtPort(int port) {
      return new NodeState(name, kind, pid, mgmt.substring(0, mgmt.lastIndexOf(':') + 1) + port, log, config, remote,
          key);
    }

    /** The same node writing to {@code file} (the log of a JVM it shares with other nodes, or its own). */
    public NodeState withLog(String file) {
      return new NodeState(name, kind, pid, mgmt, file, config, remote, key);
    }

    /**
     * Why the node does not run, for messages: "process N is gone", "its ssh session to host H
     * ended", or, with no pid, that it was killed inside a JVM it shared with other nodes.
     */
    public String whyGone() {
      if (remote != null) {
        return "its ssh session to host " + remote.host().label() + " ended";
      }
      return pid == 0 ? "it was killed inside the JVM it shared with other nodes" : "process " + pid + " is gone";
    }

    /** True once the node has reported where its management API listens. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean mgmtKnown() {
      return mgmt != null && !mgmt.endsWith(":0");
    }
  }

  /**
   * Where a node on another machine runs.
   *
   * @param dir the node's folder on the host (configuration, captures, events)
   * @param pid the node's process id on the host, 0 until known
   */
  public record Remote(emu.control.topology.HostSpec host, String dir, long pid) {}

  /** The process that controls the lab and where its API listens (host:port). */
  public record Controller(long pid, String api) {}

  /** {@code seeded} or {@code secure}: where the nodes' secrets come from, as status shows it. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public String randomness() {
    return Boolean.FALSE.equals(seeded) ? "secure" : "seeded";
  }

  /** Status's fields for {@link #randomness()}: {@code randomness}, and a seeded lab's {@code seed}. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public Map<String, Object> randomnessStatus() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("randomness", randomness());
    if (!Boolean.FALSE.equals(seeded)) {
      m.put("seed", seed); // an unseeded lab's seed drives only impairments and timers: not shown
    }
    return m;
  }

  /** The same state with one node's process id changed (after a restart). */
  public LabState withPid(String node, long pid) {
    List<NodeState> ns = nodes.stream().map(n -> n.name().equals(node)
        ? new NodeState(n.name(), n.kind(), pid, n.mgmt(), n.log(), n.config(), n.remote(), n.key()) : n).toList();
    return new LabState(name, topology, outDir, stateDir, token, seed, startedAt, ns, controller, seeded);
  }

  /** The same state with one node's state replaced. */
  public LabState with(NodeState node) {
    List<NodeState> ns = nodes.stream().map(n -> n.name().equals(node.name()) ? node : n).toList();
    return new LabState(name, topology, outDir, stateDir, token, seed, startedAt, ns, controller, seeded);
  }

  public LabState withController(Controller c) {
    return new LabState(name, topology, outDir, stateDir, token, seed, startedAt, nodes, c, seeded);
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static Path file(Path stateDir) {
    return stateDir.resolve("lab.json");
  }

  public void write() throws IOException {
    Path f = file(Path.of(stateDir));
    Files.createDirectories(f.getParent());
    Path tmp = f.resolveSibling("lab.json.tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  public static LabState read(Path stateDir) throws IOException {
    return JSON.readValue(file(stateDir).toFile(), LabState.class);
  }

  /** Every lab with a state folder, by name. */
  public static List<LabState> all() {
    List<LabState> labs = new ArrayList<>();
    Path dir = EmuHome.labs();
    if (!Files.isDirectory(dir)) {
      return labs;
    }
    try (var s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        if (Files.exists(file(p))) {
          try {
            labs.add(read(p));
          } catch (IOException e) {
            // A half-written or foreign file: not a lab we can talk to.
          }
        }
      }
    } catch (IOException e) {
      return labs;
    }
    return labs;
  }

  public NodeState node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
  }
}
