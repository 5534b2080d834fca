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
    return "DHCP server on " + e.iface() + " for " + e.subnet() + (e.relayed() ? " behind relay agents" : "")
        + ": pool " + e.poolStart() + "-" + e.poolEnd() + ", leases of " + duration(e.leaseSeconds());
  }

  @Override
  public String received(DhcpEvent.Received e) {
    StringBuilder sb = new StringBuilder("receives DHCP ").append(e.message()).append(" from ").append(e.mac());
    if (e.hostname() != null) {
      sb.append(" (").append(e.hostname()).append(')');
    }
    if (e.relay() != null) {
      sb.append(", relayed by ").append(e.src()).append(":67 for the client on ").append(e.relay())
          .append("'s subnet (giaddr), to ").append(e.dst()).append(":67");
    } else {
      sb.append(", sent from ").append(e.src()).append(":68 to ").append(e.dst()).append(":67");
      if ("0.0.0.0".equals(e.src())) {
        sb.append(" (it has no address yet)");
      }
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
        + e.mac() + ", " + (e.relay() != null ? toRelay(e.relay()) : e.broadcast() ? sentTo(e.to(), true)
        : "unicast to " + e.to() + ":68 at its MAC (no ARP: it cannot answer for that address yet)");
  }

  private static String toRelay(String relay) {
    return "sent to the relay agent at " + relay + ":67 (giaddr), which passes it to the client";
  }

  @Override
  public String acked(DhcpEvent.Acked e) {
    return "acknowledges " + e.address() + " to " + e.mac() + (e.extended() ? " again (lease extended)" : "")
        + ": leased for " + duration(e.leaseSeconds()) + ", renewal from " + duration(e.t1Seconds())
        + " (T1), rebinding from " + duration(e.t2Seconds()) + " (T2); "
        + (e.relay() != null ? toRelay(e.relay()) : "sent " + sentTo(e.to(), e.broadcast()));
  }

  @Override
  public String naked(DhcpEvent.Naked e) {
    return "refuses (DHCP NAK, " + (e.relay() == null ? "broadcast" : "through the relay agent at " + e.relay())
        + ") " + e.mac() + "'s request" + (e.requested() == null ? "" : " for " + e.requested()) + ": " + e.reason();
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

  @Override
  public String clientSent(DhcpEvent.ClientSent e) {
    boolean broadcast = "255.255.255.255".equals(e.dst());
    StringBuilder sb = new StringBuilder(broadcast ? "broadcasts" : "sends").append(" DHCP ").append(e.message());
    if (e.attempt() > 1) {
      sb.append(" (attempt ").append(e.attempt()).append(')');
    }
    sb.append(" from ").append(e.src()).append(":68 to ").append(e.dst()).append(":67");
    if ("0.0.0.0".equals(e.src())) {
      sb.append(" (it has no address yet)");
    }
    switch (e.message()) {
      case "REQUEST" -> sb.append(switch (e.state()) {
        case "renewing" -> ": renews its lease of " + e.requested() + " with the server that gave it (T1)";
        case "init-reboot" -> ": asks to keep " + e.requested() + " after a restart (INIT-REBOOT: no server named,"
            + " whichever server knows the lease answers)";
        case "renew" -> ": renews its lease of " + e.requested() + " with the server that gave it, now (dhcp renew)";
        case "rebinding" -> ": rebinds its lease of " + e.requested() + " with any server (T2: its own did not answer)";
        default -> ": asks for " + e.requested() + (e.server() == null ? "" : " from server " + e.server())
            + ", telling any other server that it chose this one";
      });
      case "DISCOVER" -> sb.append(e.requested() == null ? "" : ", asking for " + e.requested() + " again");
      case "DECLINE" -> sb.append(": declines ").append(e.requested()).append(", which is in use");
      case "RELEASE" -> sb.append(": gives ").append(e.requested()).append(" back");
      default -> { }
    }
    return sb.toString();
  }

  @Override
  public String clientOffer(DhcpEvent.ClientOffer e) {
    String offer = e.address() + " for " + duration(e.leaseSeconds()) + carries(e.gateway(), e.dns());
    return e.taken() ? "takes the first offer, from " + e.server() + ": " + offer
        : "leaves the offer of " + offer + " from " + e.server() + (e.alreadyTaken() == null ? ""
            : ": it already took " + e.alreadyTaken() + " from another server");
  }

  @Override
  public String clientProbe(DhcpEvent.ClientProbe e) {
    return "ARP-probes " + e.address() + " on " + e.iface() + " before using it (RFC 5227, probe " + e.probe() + " of "
        + e.probes() + "): who-has " + e.address() + ", sent from 0.0.0.0 so no cache learns a thing";
  }

  @Override
  public String clientConflict(DhcpEvent.ClientConflict e) {
    return "hears " + e.mac() + " answer for " + e.address() + ": the address is in use; declines it and starts"
        + " over in " + duration(e.restartSeconds());
  }

  @Override
  public String clientBound(DhcpEvent.ClientBound e) {
    if (e.renewed()) {
      return "keeps " + e.address() + " on " + e.iface() + " for " + duration(e.leaseSeconds()) + " more (renewed by "
          + e.server() + ")";
    }
    return "configures " + e.address() + " on " + e.iface() + " from " + e.server() + "'s lease"
        + (e.gateway() == null ? "" : ", default route via " + e.gateway())
        + (e.dns().isEmpty() ? "" : ", resolver " + String.join(", ", e.dns())) + "; renews after "
        + duration(e.t1Seconds()) + " (T1), rebinds after " + duration(e.t2Seconds()) + " (T2), expires after "
        + duration(e.leaseSeconds());
  }

  @Override
  public String clientRetry(DhcpEvent.ClientRetry e) {
    return "no " + e.waitingFor().replaceFirst("^an? ", "") + " came: sends its " + e.message() + " again (attempt "
        + e.attempt() + ") after " + e.delayMillis() + " ms, backing off";
  }

  @Override
  public String clientNak(DhcpEvent.ClientNak e) {
    return "server " + e.server() + " refuses (NAK" + (e.reason() == null ? "" : ": " + e.reason())
        + "); drops the address and starts over";
  }

  @Override
  public String clientExpired(DhcpEvent.ClientExpired e) {
    return "the lease of " + e.address() + " on " + e.iface() + " ran out unrenewed: removes the address and its routes";
  }

  @Override
  public String leasesRestored(DhcpEvent.LeasesRestored e) {
    StringBuilder sb = new StringBuilder("reads its leases back from ").append(e.file()).append(": ")
        .append(e.restored()).append(e.restored() == 1 ? " lease" : " leases").append(" restored");
    if (e.expired() > 0) {
      sb.append(", ").append(e.expired()).append(" expired dropped");
    }
    if (e.outside() > 0) {
      sb.append(", ").append(e.outside()).append(" outside the pools and static bindings (or taken twice) dropped");
    }
    if (e.skipped() > 0) {
      sb.append("; skips ").append(e.skipped()).append(e.skipped() == 1 ? " bad line" : " bad lines").append(" (")
          .append(String.join("; ", e.problems())).append(e.problems().size() < e.skipped() ? "; ..." : "")
          .append(')');
    }
    return sb.toString();
  }

  @Override
  public String leaseFileError(DhcpEvent.LeaseFileError e) {
    return "lease file " + e.file() + ": " + e.reason();
  }

  @Override
  public String clientReboot(DhcpEvent.ClientReboot e) {
    return "remembers " + e.address() + " on " + e.iface() + " from its lease file (leased by " + e.server() + ", "
        + duration(e.leftSeconds()) + " left): asks for it again without DISCOVER (INIT-REBOOT, RFC 2131 3.2)";
  }

  @Override
  public String clientRebootTimeout(DhcpEvent.ClientRebootTimeout e) {
    return "no answer to " + e.requests() + " INIT-REBOOT REQUEST" + (e.requests() == 1 ? "" : "s") + " for "
        + e.address() + ": does not use it unconfirmed; starts over with DISCOVER, asking for it again";
  }

  @Override
  public String relaying(DhcpEvent.Relaying e) {
    return "DHCP relay agent on " + e.iface() + " (" + e.address() + "): passes clients' requests heard there to "
        + String.join(", ", e.servers()) + (e.agentInfo() ? ", adding option 82 (circuit-id " + e.iface() + ")" : "");
  }

  @Override
  public String relayed(DhcpEvent.Relayed e) {
    StringBuilder sb = new StringBuilder("relays ").append(e.mac());
    if (e.hostname() != null) {
      sb.append(" (").append(e.hostname()).append(')');
    }
    sb.append("'s DHCP ").append(e.message()).append(" heard on ").append(e.iface()).append(" to ").append(e.server())
        .append(":67, from ").append(e.src()).append(":67: giaddr ").append(e.giaddr())
        .append(e.giaddrSet() ? " (its address on " + e.iface() + ", so the server picks that subnet's scope)"
            : " (set by an earlier relay, left as is)")
        .append(", hops ").append(e.hops());
    if (e.circuitId() != null) {
      sb.append(", option 82 circuit-id ").append(e.circuitId());
    }
    return sb.append(", xid 0x").append(Long.toHexString(e.xid())).toString();
  }

  @Override
  public String relayedReply(DhcpEvent.RelayedReply e) {
    StringBuilder sb = new StringBuilder("passes server ").append(e.server()).append("'s DHCP ").append(e.message());
    if (e.address() != null) {
      sb.append(" of ").append(e.address());
    }
    sb.append(" to ").append(e.mac()).append(" on ").append(e.iface());
    if (e.stripped()) {
      sb.append(", taking its option 82 out");
    }
    return sb.append(!e.broadcast() ? ", unicast to " + e.to() + ":68 at its MAC (no ARP: it cannot answer for that"
        + " address yet)" : e.address() == null ? ", broadcast to 255.255.255.255:68 (no address to send it to)"
        : ", broadcast to 255.255.255.255:68 (the client asked for broadcast replies)").toString();
  }

  @Override
  public String relayDropped(DhcpEvent.RelayDropped e) {
    return "drops a DHCP message" + (e.mac() == null ? "" : " from " + e.mac()) + " instead of relaying it: "
        + e.reason().replace('_', ' ') + " (" + e.soFar() + " so far)";
  }
}
