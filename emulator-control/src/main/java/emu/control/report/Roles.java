package emu.control.report;

import emu.node.event.DhcpEvent;
import emu.node.event.DnsEvent;
import emu.node.event.IcmpEvent;
import emu.node.event.IpEvent;
import emu.node.event.OspfEvent;
import emu.node.event.TlsEvent;
import emu.node.event.TraceEvent;
import java.util.Set;

/**
 * What part an event plays in the ladder diagram: a description of the next frame its node sends
 * (it labels that frame's arrow), or the receiving side of something the sender already labels
 * (left out).
 */
final class Roles {
  /**
   * DNS events that describe the message a node is about to send: a query (or the retry or move
   * to the next server before it), a forward, an answer a server sends, the close of an idle TCP connection.
   */
  private static final Set<Class<? extends DnsEvent>> DNS_LABELS = Set.of(DnsEvent.QuerySent.class,
      DnsEvent.Retried.class, DnsEvent.NextServer.class, DnsEvent.Forwarded.class, DnsEvent.Served.class, DnsEvent.OutOfZone.class,
      DnsEvent.ServedFromCache.class, DnsEvent.ServedFromUpstream.class, DnsEvent.UpstreamFailed.class,
      DnsEvent.Rejected.class, DnsEvent.ServeFailed.class, DnsEvent.TcpIdleClosed.class);

  /** DHCP events that describe the message a node is about to send: a client's, a server's answer. */
  private static final Set<Class<? extends DhcpEvent>> DHCP_LABELS = Set.of(DhcpEvent.ClientSent.class,
      DhcpEvent.Offered.class, DhcpEvent.Acked.class, DhcpEvent.Naked.class, DhcpEvent.Relayed.class,
      DhcpEvent.RelayedReply.class);

  private Roles() {}

  /** True if {@code e} says what the next frame its node sends carries. */
  static boolean labelsNextFrame(TraceEvent e) {
    return e instanceof IpEvent.Forwarded || e instanceof IcmpEvent || DNS_LABELS.contains(e.getClass())
        || DHCP_LABELS.contains(e.getClass())
        || e instanceof TlsEvent t && t.dir() == TlsEvent.Direction.SENT; // a TLS record or message this node sends
  }

  /** True for the receiving end of a message the sender's label already tells. */
  static boolean received(TraceEvent e) {
    return e instanceof TlsEvent t && t.dir() == TlsEvent.Direction.RECEIVED;
  }

  /**
   * True for an OSPF step the diagram leaves out, since a router converging says a lot of them and
   * the notes are capped: an LSA installed (the LS Update arrow shows the flooding, sender and
   * count, and the SPF run it schedules names the LSA) and an SPF run that changed no route.
   * Adjacency changes, elections, originations and SPF runs that moved routes stay notes (an
   * origination is not a label: it is flooded only where an adjacency has reached Exchange, so a
   * router alone sends nothing after it, and its next frame would be a Hello).
   */
  static boolean quiet(TraceEvent e) {
    return e instanceof OspfEvent.Installed || e instanceof OspfEvent.Spf s && s.changes().isEmpty();
  }
}
