package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * A router's OSPFv2 (RFC 2328): adjacencies stepping through the neighbour state machine, DR/BDR
 * elections, LSAs originated and installed, SPF runs with the routes they changed, and packets
 * refused. Router IDs and addresses are dotted quads, sequence numbers hex (0x80000003) as FRR
 * prints them.
 */
public sealed interface OspfEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.ospf(this);
  }

  interface Visitor<R> {
    R neighbor(Neighbor e);

    R elected(Elected e);

    R originated(Originated e);

    R installed(Installed e);

    R spf(Spf e);

    R refused(Refused e);
  }

  /**
   * Neighbour {@code routerId} at {@code address} on {@code dev} moved {@code from} to {@code to}
   * (RFC 2328 10.1 names: Down, Init, 2-Way, ExStart, Exchange, Loading, Full) on {@code event}
   * (10.2: HelloReceived, 2-WayReceived, NegotiationDone, ExchangeDone, LoadingDone, AdjOK?,
   * SeqNumberMismatch, BadLSReq, KillNbr, InactivityTimer, LLDown, 1-WayReceived).
   */
  @JsonTypeName("ospf.neighbor")
  record Neighbor(String dev, String routerId, String address, String from, String to, String event)
      implements OspfEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.neighbor(this);
    }
  }

  /** An election on {@code dev} (9.4) gave DR {@code dr} and BDR {@code bdr} (router IDs, null: none); this router is now {@code state}. */
  @JsonTypeName("ospf.election")
  record Elected(String dev, String dr, String bdr, String state) implements OspfEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.elected(this);
    }
  }

  /** This router originated ({@code flushed}: prematurely aged to MaxAge) its LSA of {@code lsType} (1 router, 2 network). */
  @JsonTypeName("ospf.lsa_originated")
  record Originated(int lsType, String lsId, String advRouter, String lsSeq, boolean flushed) implements OspfEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.originated(this);
    }
  }

  /** A newer instance of another router's LSA went into the database, flooded by neighbour {@code from}. */
  @JsonTypeName("ospf.lsa_installed")
  record Installed(int lsType, String lsId, String advRouter, String lsSeq, String from) implements OspfEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.installed(this);
    }
  }

  /**
   * SPF ran for {@code micros} and left {@code routes} OSPF routes; {@code changes} are those that
   * differ from before. {@code after*}: the LSA whose arrival scheduled the run (type, Link State
   * ID, advertising router, sequence number), all null when a change of the router's own did
   * (an interface, an adjacency).
   */
  @JsonTypeName("ospf.spf")
  record Spf(long micros, int routes, Integer afterType, String afterId, String afterAdv, String afterSeq,
             List<Change> changes) implements OspfEvent {
    public Spf {
      changes = List.copyOf(changes);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.spf(this);
    }
  }

  /** One route's change: cost -1 and no gateways for "none" (a new route, a lost one). */
  record Change(String prefix, int oldCost, List<String> oldVia, int newCost, List<String> newVia) {
    public Change {
      oldVia = List.copyOf(oldVia);
      newVia = List.copyOf(newVia);
    }
  }

  /**
   * A packet of {@code packet} type (Hello, DB Description, LS Request, LS Update, LS Ack; null if
   * unreadable) from {@code source} on {@code dev} was refused, or an LSA in it, for
   * {@code reason} (OspfCounters.Refusal in lower case: hello_interval_mismatch, mtu_mismatch...).
   */
  @JsonTypeName("ospf.refused")
  record Refused(String dev, String source, String packet, String reason) implements OspfEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.refused(this);
    }
  }
}
