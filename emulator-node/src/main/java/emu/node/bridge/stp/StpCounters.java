package emu.node.bridge.stp;

import emu.node.wire.Bpdu;

/** What a switch's spanning tree counted, for {@code /metrics}. */
public final class StpCounters {
  public long bpduIn;
  public long bpduOut;
  /** Topology changes detected here: a non-edge root or designated port started forwarding. */
  public long topologyChanges;
  /** BPDUs received with a topology change: TC flag set, or TCN. */
  public long tcReceived;
  public long stateChanges;
  public long edgeLost;
  /** AutoEdge: a non-edge port heard no BPDU for 3 s after its link came up, and became edge again. */
  public long edgeRegained;
  public long infoAged;
  public long legacyPorts;
  /** Bugs caught in the one-second tick (the tick goes on): should stay 0. */
  public long internalErrors;
  private final long[] drops = new long[Bpdu.Check.values().length];

  void drop(Bpdu.Check reason) {
    drops[reason.ordinal()]++;
  }

  /** BPDUs dropped for {@code reason}. */
  public long drops(Bpdu.Check reason) {
    return drops[reason.ordinal()];
  }

  public long dropsTotal() {
    long n = 0;
    for (long d : drops) {
      n += d;
    }
    return n;
  }
}
