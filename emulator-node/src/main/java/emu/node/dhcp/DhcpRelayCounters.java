package emu.node.dhcp;

import emu.node.wire.DhcpMessage;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a DHCP relay agent did, written on the node's event loop only: requests passed to the
 * servers, replies passed to the clients, and every message dropped under its reason.
 */
public final class DhcpRelayCounters {
  /** Why a well-formed message was not relayed. */
  public enum Reason {
    /** A BOOTREQUEST whose hops already exceed {@link DhcpRelay#MAX_HOPS} (RFC 1542 4.1.1). */
    TOO_MANY_HOPS,
    /** A BOOTREPLY on port 67 whose giaddr is none of the relay interfaces' addresses. */
    UNKNOWN_GIADDR,
    /** A BOOTREQUEST on an interface that neither relays nor serves DHCP. */
    NOT_RELAYED_HERE,
    /**
     * A client's BOOTREQUEST (giaddr 0) that already carries option 82, on an interface that adds
     * its own: RFC 3046 2.1 says to discard it (a client forging the relay's information).
     */
    AGENT_INFO_FROM_CLIENT,
    /** A BOOTREPLY whose option 82 is not the one this relay added for that interface. */
    AGENT_INFO_MISMATCH,
    /** The server is unreachable from the router (no route, interface down). */
    NO_ROUTE
  }

  private final EnumMap<DhcpMessage.Check, Long> malformed = new EnumMap<>(DhcpMessage.Check.class);
  private final EnumMap<Reason, Long> dropped = new EnumMap<>(Reason.class);
  /** Client requests passed to a server (one per server they went to). */
  public long requestsRelayed;
  /** Server replies passed to a client. */
  public long repliesRelayed;

  void countMalformed(DhcpMessage.Check why) {
    malformed.merge(why, 1L, Long::sum);
  }

  void countDrop(Reason why) {
    dropped.merge(why, 1L, Long::sum);
  }

  public long malformed(DhcpMessage.Check why) {
    return malformed.getOrDefault(why, 0L);
  }

  public long dropped(Reason why) {
    return dropped.getOrDefault(why, 0L);
  }

  /** Every counter by name, lower-case with underscores, for status and {@code dhcp stats}. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("requests_relayed", requestsRelayed);
    m.put("replies_relayed", repliesRelayed);
    malformed.forEach((k, v) -> m.put("malformed_" + k.name().toLowerCase(java.util.Locale.ROOT), v));
    dropped.forEach((k, v) -> m.put("dropped_" + k.name().toLowerCase(java.util.Locale.ROOT), v));
    return m;
  }
}
