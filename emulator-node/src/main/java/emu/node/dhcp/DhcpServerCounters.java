package emu.node.dhcp;

import emu.node.wire.DhcpMessage;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a DHCP server did, written on the node's event loop only: messages received by type,
 * replies sent, and every message not answered under its reason.
 */
public final class DhcpServerCounters {
  /** Why a well-formed message got no answer. */
  public enum Reason {
    /** It came in on an interface without a DHCP scope. */
    NOT_SERVED_HERE,
    /** A BOOTREPLY (another server's answer) or a server's message type sent to port 67. */
    NOT_A_REQUEST,
    /** Relayed (giaddr set) from a subnet no scope of the server covers: silence. */
    UNKNOWN_GIADDR,
    /** A REQUEST or INFORM that names no address. */
    REQUEST_WITHOUT_ADDRESS,
    /** A DECLINE of an address this client does not hold. */
    DECLINE_UNKNOWN,
    /** A RELEASE of an address this client does not hold. */
    RELEASE_UNKNOWN,
    /**
     * An INIT-REBOOT, RENEWING or REBINDING REQUEST, on the subnet, from a client the server has
     * no record of, for an address it cannot give (RFC 2131 4.3.2: silence, not a NAK).
     */
    NO_RECORD,
    /**
     * A DISCOVER from a client with a static binding whose address cannot be given now (declined
     * and held, or the server's or gateway's own): no OFFER, which would only be NAKed.
     */
    STATIC_UNAVAILABLE
  }

  private final long[] receivedByType = new long[DhcpMessage.INFORM + 1];
  private final EnumMap<DhcpMessage.Check, Long> malformed = new EnumMap<>(DhcpMessage.Check.class);
  private final EnumMap<Reason, Long> dropped = new EnumMap<>(Reason.class);
  public long offers;
  public long acks;
  public long naks;
  public long declines;
  public long releases;
  /** DISCOVERs not answered because no address was free. */
  public long poolExhausted;
  /** REQUESTs that selected another server's offer (ours is withdrawn). */
  public long otherServerChosen;

  void countReceived(int type) {
    receivedByType[type]++;
  }

  void countMalformed(DhcpMessage.Check why) {
    malformed.merge(why, 1L, Long::sum);
  }

  void countDrop(Reason why) {
    dropped.merge(why, 1L, Long::sum);
  }

  public long received(int type) {
    return receivedByType[type];
  }

  public long malformed(DhcpMessage.Check why) {
    return malformed.getOrDefault(why, 0L);
  }

  public long dropped(Reason why) {
    return dropped.getOrDefault(why, 0L);
  }

  /** Every non-zero counter by name, lower-case with underscores, for status and metrics. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int t = DhcpMessage.DISCOVER; t <= DhcpMessage.INFORM; t++) {
      if (receivedByType[t] > 0) {
        m.put("received_" + DhcpMessage.typeName(t).toLowerCase(java.util.Locale.ROOT), receivedByType[t]);
      }
    }
    m.put("offers", offers);
    m.put("acks", acks);
    m.put("naks", naks);
    m.put("declines", declines);
    m.put("releases", releases);
    m.put("pool_exhausted", poolExhausted);
    m.put("other_server_chosen", otherServerChosen);
    malformed.forEach((k, v) -> m.put("malformed_" + k.name().toLowerCase(java.util.Locale.ROOT), v));
    dropped.forEach((k, v) -> m.put("dropped_" + k.name().toLowerCase(java.util.Locale.ROOT), v));
    return m;
  }
}
