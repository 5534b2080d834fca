package emu.node.dhcp;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The DHCP client's replies left unused, by reason; read on the node's event loop. */
public final class DhcpClientCounters {
  /** Why a reply to port 68 was not used. */
  public enum Reason {
    /** It does not parse as a DHCP message (any of {@code DhcpMessage.Check}'s refusals). */
    MALFORMED,
    /** A BOOTREQUEST: another client's message, not a server's reply. */
    NOT_A_REPLY,
    /** Its xid or chaddr is not this client's exchange (another client's answer). */
    NOT_OURS,
    /** An OFFER while not SELECTING (a second server's, or late), or one offering 0.0.0.0. */
    OFFER_NOT_TAKEN,
    /** An ACK or NAK while no REQUEST is outstanding. */
    UNEXPECTED,
    /** An ACK without a lease time (option 51). */
    NO_LEASE_TIME,
    /** An ACK of an address no host can take (0, broadcast, multicast, loopback, the subnet's ends, prefix not 8..30). */
    UNUSABLE_ADDRESS,
    /** An ACK whose subnet mask has holes. */
    BAD_MASK,
    /** A reply type a client has no use for (not OFFER, ACK or NAK). */
    OTHER_TYPE
  }

  private final EnumMap<Reason, Long> dropped = new EnumMap<>(Reason.class);

  void countDrop(Reason why) {
    dropped.merge(why, 1L, Long::sum);
  }

  public long dropped(Reason why) {
    return dropped.getOrDefault(why, 0L);
  }

  /** Every non-zero counter as {@code dropped_REASON}, lower case, for the node's status. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    dropped.forEach((k, v) -> m.put("dropped_" + k.name().toLowerCase(Locale.ROOT), v));
    return m;
  }
}
