package emu.control.report;

import emu.node.event.IcmpEvent;
import emu.node.event.IpEvent;
import emu.node.event.TlsEvent;
import emu.node.event.TraceEvent;
import emu.node.event.TraceMeta;
import java.util.Set;

/**
 * What part an event plays in the ladder diagram: a description of the next frame its node sends
 * (it labels that frame's arrow), or the receiving side of something the sender already labels
 * (left out).
 */
final class Roles {
  /** TRANSITIONAL: untyped DNS events that describe the message a node is about to send. */
  private static final Set<String> LEGACY_LABELS = Set.of("dns.query", "dns.forward", "dns.serve", "dns.retry",
      "dns.tcp");

  private Roles() {}

  /** True if {@code e} says what the next frame its node sends carries. */
  static boolean labelsNextFrame(TraceEvent e) {
    if (e instanceof IpEvent.Forwarded || e instanceof IcmpEvent) {
      return true;
    }
    if (e instanceof TlsEvent t && t.dir() == TlsEvent.Direction.SENT) {
      return true; // a TLS record or message this node sends
    }
    return e instanceof TraceMeta.Legacy l && (LEGACY_LABELS.contains(l.kind()) || "sent".equals(l.fields().get("dir")));
  }

  /** True for the receiving end of a message the sender's label already tells. */
  static boolean received(TraceEvent e) {
    if (e instanceof TlsEvent t) {
      return t.dir() == TlsEvent.Direction.RECEIVED;
    }
    return e instanceof TraceMeta.Legacy l && l.kind().startsWith("tls.") && "received".equals(l.fields().get("dir"));
  }
}
