package emu.control.lab;

import emu.control.plan.PlannedNode;
import java.util.List;
import java.util.Map;

/**
 * How a lab's nodes on this machine are started: in which order, how many JVMs at once, and how
 * many nodes to a JVM, from the environment ({@code EMU_START_CONCURRENCY},
 * {@code EMU_NODES_PER_JVM}); {@link Lab} starts them so.
 */
final class StartPolicy {
  private StartPolicy() {}

  /** Up to this many nodes on this machine, a lab's nodes all start at once (see startConcurrency). */
  static final int ALL_AT_ONCE_UP_TO = 32;

  /**
   * How many of this machine's {@code local} JVMs (a node's own, or one several nodes share:
   * nodesPerJvm) start at once: each of the others is launched when an earlier one is ready. The
   * lab is not up sooner either way (the JVMs' start is the same CPU; BENCHMARKS.md "Many nodes").
   * A lab of up to ALL_AT_ONCE_UP_TO nodes starts all at once, as it always did: its nodes come up
   * together, their protocols (DHCP, IPv6 address checks, OSPF)
   * begin together, and each node's start stays well inside START_TIMEOUT_MS (about 20 s for 32
   * nodes on 2 cores). A bigger lab starts twice the core count at a time: all at once, each of
   * 300 nodes would take the whole lab's start (150 s on 2 cores) and pass its own limit; a few at
   * a time, each starts in seconds, and one that fails shows at once.
   * {@code EMU_START_CONCURRENCY} overrides it (0: all at once). A lab of shared JVMs counts its
   * JVMs: up to 32 of them start all at once, each bringing its nodes up one after the other.
   */
  static int startConcurrency(int local) throws LabException {
    String v = System.getenv("EMU_START_CONCURRENCY");
    if (v != null && !v.isBlank()) {
      try {
        int n = Integer.parseInt(v.trim());
        return n <= 0 ? Integer.MAX_VALUE : n;
      } catch (NumberFormatException e) {
        throw new LabException("EMU_START_CONCURRENCY must be a number (0: all nodes at once), not '" + v + "'");
      }
    }
    return local <= ALL_AT_ONCE_UP_TO ? Integer.MAX_VALUE : 2 * Runtime.getRuntime().availableProcessors();
  }

  /** {@code emu.nodesPerJvm}, else {@code EMU_NODES_PER_JVM}, as written; null if neither is set. */
  static String nodesPerJvmSetting() {
    return System.getProperty("emu.nodesPerJvm", System.getenv("EMU_NODES_PER_JVM"));
  }

  /**
   * How many of this machine's nodes share one JVM: {@code EMU_NODES_PER_JVM} (or the property
   * {@code emu.nodesPerJvm}), 1 (a JVM per node, as always) unless set. A node alone in its JVM is
   * the most faithful lab (a node killed is a process killed, a node's memory is its process's, a
   * garbage collection pauses that node alone), so that stays the default; several nodes a JVM
   * pay the JVM's own cost once (BENCHMARKS.md "Many nodes in one JVM").
   */
  static int nodesPerJvm() throws LabException {
    String v = nodesPerJvmSetting();
    if (v == null || v.isBlank()) {
      return 1;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new LabException("EMU_NODES_PER_JVM must be a whole number of nodes from 1 (a JVM per node), not '" + v
        + "'");
  }

  /**
   * This machine's nodes (in launch order) cut into JVMs of {@code perJvm} nodes: per node of a
   * JVM with more than one, that JVM's nodes. Consecutive in launch order, so what starts first
   * starts together; the last JVM takes the remainder.
   */
  static Map<String, List<String>> groupsOf(List<String> local, int perJvm) {
    Map<String, List<String>> out = new java.util.HashMap<>();
    if (perJvm <= 1) {
      return out;
    }
    for (int i = 0; i < local.size(); i += perJvm) {
      List<String> members = List.copyOf(local.subList(i, Math.min(local.size(), i + perJvm)));
      if (members.size() > 1) {
        members.forEach(m -> out.put(m, members));
      }
    }
    return out;
  }

  /**
   * The order this machine's nodes are launched in, when they start a few at a time: a node starts
   * its protocols as soon as it is READY, so what others depend on comes first. Nodes with a link
   * to a linux node or an external program first (their pinned link ports cannot move if taken
   * while they wait: MovedLinks), then switches, routers, hosts, and last the hosts that take an
   * address by DHCP (their DISCOVER retries back off to 8, 16, 32 s: sent before the relay and the
   * server are up, a lease could come after the scenario has stopped waiting for it).
   */
  static int launchOrder(PlannedNode n) {
    List<emu.node.config.NodeConfig.Iface> ifaces = n.config().interfaces();
    if (ifaces.stream().anyMatch(i -> Boolean.TRUE.equals(i.fixedPort()))) {
      return 0;
    }
    return switch (n.kind()) {
      case "switch" -> 1;
      case "router" -> 2;
      default -> ifaces.stream().anyMatch(i -> Boolean.TRUE.equals(i.dhcpClient())) ? 4 : 3;
    };
  }
}
