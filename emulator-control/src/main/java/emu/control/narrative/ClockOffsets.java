package emu.control.narrative;

import emu.node.event.IpEvent;
import emu.node.event.Packet;
import emu.node.event.Stamped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hosts' clocks differ: a node's events carry its own host's time. This estimates each host's
 * offset from matched send/receive pairs, as NTP does from its four timestamps: a frame sent on
 * host X at {@code s} (X's clock) and received on host Y at {@code r} (Y's clock) gives
 * {@code r - s = delay + (θY - θX)}. The smallest such difference each way, {@code dXY} and
 * {@code dYX}, belongs to the fastest crossing; assuming those are equally fast,
 * {@code θY - θX = (dXY - dYX) / 2}. Offsets are relative to a reference host (that of the
 * first node), propagated over the hosts that exchanged frames both ways; a host with no such
 * exchange keeps its clock.
 *
 * <p>Then every receive is kept after its send: if a corrected receive would still precede its
 * send (delays not symmetric), it is placed just after it.
 *
 * <p>Pairs: a node's {@link IpEvent.FrameSent} (source, destination and identification of the
 * IPv4 packet it framed) and another host's {@link IpEvent.Received} of a packet with the same
 * three values. Routers forward a
 * packet unchanged in these, so a send pairs with the receives of every later hop: each still a
 * send before its receive, so each a valid bound.
 */
public final class ClockOffsets {
  /** Nanoseconds a receive is placed after its send when clocks alone would put it before. */
  private static final long AFTER_SEND_NS = 1_000;

  private final Map<String, String> hostOf;
  private final String reference;
  /** Smallest receive-minus-send per "X>Y" host pair. */
  private final Map<String, Long> minDelay = new HashMap<>();
  /** Recent sends by packet key: (host, corrected-later ts). */
  private final Map<String, ArrayDeque<long[]>> sends = new HashMap<>();
  private final Map<String, Integer> hostIds = new HashMap<>();
  private final Map<String, Integer> nodeIds = new HashMap<>();
  /**
   * Keys one node sent more than once. An IPv6 packet has no identification field: its key is
   * its transport checksum, which a retransmitted segment or a repeated ACK shares with the
   * first, so a receive of one could pair with a later copy's send and make a host's clock look
   * ahead. Such keys teach nothing about offsets (they still keep a receive after a send).
   */
  private final java.util.Set<String> ambiguous = new java.util.HashSet<>();
  private final List<String> hosts = new ArrayList<>();
  private Map<String, Long> offsets = Map.of();

  /**
   * @param hostOf node to the machine it runs on (nodes not in it: the control plane's machine)
   * @param referenceNode the node whose host's clock the others are set to
   */
  public ClockOffsets(Map<String, String> hostOf, String referenceNode) {
    this.hostOf = hostOf;
    this.reference = host(referenceNode);
  }

  private String host(String node) {
    return hostOf.getOrDefault(node, "");
  }

  private int nodeId(String node) {
    return nodeIds.computeIfAbsent(node, n -> nodeIds.size());
  }

  private int hostId(String host) {
    return hostIds.computeIfAbsent(host, h -> {
      hosts.add(h);
      return hosts.size() - 1;
    });
  }

  private static String key(Packet p) {
    return p == null || p.src() == null ? null : p.src() + ">" + p.dst() + "#" + p.id();
  }

  /**
   * Learns from {@code events} (one poll, in any order; sends of earlier polls are remembered),
   * then returns them with corrected timestamps, ordered.
   */
  public List<Stamped> apply(List<Stamped> events) {
    List<Stamped> byRaw = new ArrayList<>(events);
    byRaw.sort(java.util.Comparator.comparingLong(Stamped::ts));
    // Learn: the smallest receive-minus-send per host pair.
    Map<Stamped, long[]> sendOf = new java.util.IdentityHashMap<>();
    for (Stamped e : byRaw) {
      if (e.event() instanceof IpEvent.FrameSent sent && key(sent.packet()) != null) {
        String k = key(sent.packet());
        int h = hostId(host(e.node()));
        ArrayDeque<long[]> q = sends.computeIfAbsent(k, x -> new ArrayDeque<>());
        int node = nodeId(e.node());
        for (long[] s : q) {
          if (s[2] == node) {
            ambiguous.add(k); // the same node sent it twice: a retransmission or a duplicate ACK
          }
        }
        q.addLast(new long[] {h, e.ts(), node});
        if (q.size() > 4) {
          q.removeFirst();
        }
      }
    }
    for (Stamped e : byRaw) {
      String k = e.event() instanceof IpEvent.Received rx ? key(rx.packet()) : null;
      if (k == null) {
        continue;
      }
      int h = hostId(host(e.node()));
      ArrayDeque<long[]> q = sends.get(k);
      if (q == null) {
        continue;
      }
      for (long[] s : q) {
        if (s[0] != h) {
          if (!ambiguous.contains(k)) {
            String pair = hosts.get((int) s[0]) + ">" + hosts.get(h);
            minDelay.merge(pair, e.ts() - s[1], Math::min);
          }
          sendOf.put(e, s);
        }
      }
    }
    offsets = solve();
    // Correct, then keep each receive after its (corrected) send.
    List<Stamped> out = new ArrayList<>(events.size());
    for (Stamped e : events) {
      long ts = e.ts() - offsets.getOrDefault(host(e.node()), 0L);
      long[] s = sendOf.get(e);
      if (s != null) {
        long sent = s[1] - offsets.getOrDefault(hosts.get((int) s[0]), 0L);
        ts = Math.max(ts, sent + AFTER_SEND_NS);
      }
      out.add(e.at(ts));
    }
    out.sort(EventLog.ORDER);
    return out;
  }

  /** Offsets (ns, to subtract) of every host reachable from the reference by two-way pairs. */
  private Map<String, Long> solve() {
    Map<String, Long> theta = new HashMap<>();
    theta.put(reference, 0L);
    ArrayDeque<String> todo = new ArrayDeque<>(List.of(reference));
    while (!todo.isEmpty()) {
      String x = todo.removeFirst();
      for (String y : hosts) {
        if (theta.containsKey(y)) {
          continue;
        }
        Long xy = minDelay.get(x + ">" + y);
        Long yx = minDelay.get(y + ">" + x);
        if (xy != null && yx != null) {
          theta.put(y, theta.get(x) + (xy - yx) / 2);
          todo.addLast(y);
        }
      }
    }
    return theta;
  }

  /** The current estimate: host to offset in nanoseconds (its clock minus the reference's). */
  public Map<String, Long> offsets() {
    return Map.copyOf(offsets);
  }
}
