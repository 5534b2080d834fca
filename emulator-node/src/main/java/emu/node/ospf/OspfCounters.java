package emu.node.ospf;

import java.util.EnumMap;
import java.util.Map;

/**
 * What one router's OSPF did, for {@code show ip ospf} and {@code /metrics}: packets by type
 * sent and received, LSAs flooded and retransmitted, SPF runs and their time, and every refused
 * packet or LSA by {@link Refusal reason} (RFC 2328 8.2, 10.5, 13: a refusal is dropped and
 * counted, never thrown). Plain fields: one event loop writes them.
 */
public final class OspfCounters {
  /** Why a received packet, or one LSA in it, was not taken. */
  public enum Refusal {
    TRUNCATED, BAD_VERSION, BAD_LENGTH, BAD_TYPE, UNSUPPORTED_AUTH, BAD_CHECKSUM, BAD_BODY_LENGTH,
    BAD_LSA_FRAMING,
    /** Not area 0.0.0.0 (RFC 2328 8.2): emu runs the backbone only. */
    WRONG_AREA,
    /** Came in on an interface OSPF does not run on, or a passive one. */
    NOT_OSPF_INTERFACE,
    /** Sent to AllDRouters while this router is neither DR nor BDR, or to an address not ours. */
    BAD_DESTINATION,
    /** Our own router ID as the sender. */
    OWN_ROUTER_ID,
    /** On a broadcast network, a source outside the interface's subnet (RFC 2328 8.2). */
    SUBNET_MISMATCH,
    /** Hello checks of RFC 2328 10.5. */
    MASK_MISMATCH, HELLO_INTERVAL_MISMATCH, DEAD_INTERVAL_MISMATCH, OPTIONS_MISMATCH,
    /** A non-Hello packet from a router with no neighbour entry, or in a state that cannot take it. */
    UNKNOWN_NEIGHBOR, NEIGHBOR_STATE,
    /** A DD whose interface MTU is larger than ours (RFC 2328 10.6, as FRR checks it). */
    MTU_MISMATCH,
    /** A DD that broke the exchange's sequence (SeqNumberMismatch, RFC 2328 10.6). */
    DD_SEQUENCE_MISMATCH,
    /** LSAs that failed {@code OspfLsa.check}. */
    LSA_TRUNCATED, LSA_BAD_LENGTH, LSA_BAD_CHECKSUM, LSA_BAD_BODY,
    /** An LSA of a type emu does not keep (RFC 2328 13 step 2). */
    LSA_UNKNOWN_TYPE,
    /** A new LSA when the database is at its bound. */
    LSDB_FULL,
    /** A newer instance arriving within MinLSArrival of the last (RFC 2328 13 step 5a). */
    LSA_TOO_SOON,
    /** An LS Request for an LSA not in the database (BadLSReq). */
    BAD_LS_REQUEST
  }

  /** Neighbours in each state but Down, indexed by {@code Ospf.NeighborState.ordinal()}: the adjacencies by state. */
  public final int[] neighborsInState = new int[7];
  /** Packets by OSPF type (1 Hello .. 5 LS Ack); index 0 unused. */
  public final long[] sent = new long[6];
  public final long[] received = new long[6];
  public long lsasReceived;
  public long lsasInstalled;
  public long lsasOriginated;
  public long lsasFlooded;
  public long lsasRetransmitted;
  public long spfRuns;
  public long spfNanosTotal;
  public long spfNanosLast;
  private final EnumMap<Refusal, Long> refused = new EnumMap<>(Refusal.class);

  public void refuse(Refusal r) {
    refused.merge(r, 1L, Long::sum);
  }

  public long refused(Refusal r) {
    return refused.getOrDefault(r, 0L);
  }

  public long refusedTotal() {
    long n = 0;
    for (long v : refused.values()) {
      n += v;
    }
    return n;
  }

  /** A copy of the refusals by reason. */
  public Map<Refusal, Long> refusals() {
    return new EnumMap<>(refused);
  }
}
