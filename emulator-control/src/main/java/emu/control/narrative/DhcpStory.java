package emu.control.narrative;

import emu.node.event.DhcpEvent;
import java.util.List;

/**
 * The words for a DHCP server (RFC 2131): the client messages it hears and why they look as they
 * do (a client without an address broadcasts from 0.0.0.0), its offers with what they carry, its
 * acknowledgements with the renewal and rebinding times, refusals, and what it leaves
 * unanswered.
 */
final class DhcpStory implements DhcpEvent.Visitor<String> {

  /** Seconds as people say a lease: 1h, 30m, 52m30s, 1d. */
  static String duration(long seconds) {
    if (seconds <= 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long d = seconds / 86400;
    long h = seconds % 86400 / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    if (d > 0) {
      sb.append(d).append('d');
    }
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (s > 0) {
      sb.append(s).append('s');
    }
    return sb.toString();
  }

  private static String carries(String gateway, List<String> dns) {
    StringBuilder sb = new StringBuilder();
    if (gateway != null) {
      sb.append(" with gateway ").append(gateway);
    }
    if (dns != null && !dns.isEmpty()) {
      sb.append(gateway != null ? " and" : " with").append(" DNS ").append(String.join(", ", dns));
    }
    return sb.toString();
  }

  private static String sentTo(String to, boolean broadcast) {
    return broadcast ? "broadcast to 255.255.255.255:68 (the client asked for broadcast replies)"
        : "to " + to + ":68";
  }

  @Override
  public String serving(DhcpEvent.Serving e) {
    return "DHCP server on " + e.iface() + " for " + e.subnet() + ": pool " + e.poolStart() + "-" + e.poolEnd()
        + ", leases of " + duration(e.leaseSeconds());
  }

  @Override
  public String received(DhcpEvent.Received e) {
    StringBuilder sb = new StringBuilder("receives DHCP ").append(e.message()).append(" from ").append(e.mac());
    if (e.hostname() != null) {
      sb.append(" (").append(e.hostname()).append(')');
    }
    sb.append(", sent from ").append(e.src()).append(":68 to ").append(e.dst()).append(":67");
    if ("0.0.0.0".equals(e.src())) {
      sb.append(" (it has no address yet)");
    }
    if (e.requested() != null) {
      sb.append(e.message().equals("DISCOVER") || e.message().equals("REQUEST") ? "; it asks for " : "; address ")
          .append(e.requested());
    }
    sb.append(", xid 0x").append(Long.toHexString(e.xid()));
    if (e.broadcastFlag()) {
      sb.append(", BROADCAST flag set");
    }
    return sb.toString();
  }

  @Override
  public String offered(DhcpEvent.Offered e) {
    return "offers " + e.address() + " for " + duration(e.leaseSeconds()) + carries(e.gateway(), e.dns()) + " to "
        + e.mac() + ", " + (e.broadcast() ? sentTo(e.to(), true)
        : "unicast to " + e.to() + ":68 at its MAC (no ARP: it cannot answer for that address yet)");
  }

  @Override
  public String acked(DhcpEvent.Acked e) {
    return "acknowledges " + e.address() + " to " + e.mac() + (e.extended() ? " again (lease extended)" : "")
        + ": leased for " + duration(e.leaseSeconds()) + ", renewal from " + duration(e.t1Seconds())
        + " (T1), rebinding from " + duration(e.t2Seconds()) + " (T2); sent " + sentTo(e.to(), e.broadcast());
  }

  @Override
  public String naked(DhcpEvent.Naked e) {
    return "refuses (DHCP NAK, broadcast) " + e.mac() + "'s request"
        + (e.requested() == null ? "" : " for " + e.requested()) + ": " + e.reason();
  }

  @Override
  public String declined(DhcpEvent.Declined e) {
    return e.mac() + " declines " + e.address() + " (it found the address in use); it stays out of the pool for "
        + duration(e.holdSeconds());
  }

  @Override
  public String released(DhcpEvent.Released e) {
    return e.mac() + " releases " + e.address() + "; the address is free again";
  }

  @Override
  public String poolExhausted(DhcpEvent.PoolExhausted e) {
    return "has no free address for " + e.mac() + " (pool " + e.poolStart() + "-" + e.poolEnd()
        + " exhausted, " + e.soFar() + " DISCOVER" + (e.soFar() == 1 ? "" : "s") + " unanswered so far); still serving";
  }

  @Override
  public String otherServer(DhcpEvent.OtherServer e) {
    return e.mac() + " took the offer of server " + e.server()
        + (e.withdrawn() == null ? "" : "; withdraws its own offer of " + e.withdrawn());
  }

  @Override
  public String ignored(DhcpEvent.Ignored e) {
    return "ignores a DHCP message" + (e.mac() == null ? "" : " from " + e.mac()) + ": " + e.reason().replace('_', ' ')
        + " (" + e.soFar() + " so far)";
  }
}
