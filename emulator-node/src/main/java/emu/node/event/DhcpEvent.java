package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * DHCPv4 as a node runs it (RFC 2131): the server's side (what it heard, what it offered,
 * acknowledged or refused, and what it did not answer) and the client's ({@code dhcp.client_*}). Addresses are dotted quads, MACs aa:bb:cc:dd:ee:ff,
 * {@code xid} the transaction ID as an unsigned number, lease times seconds. A value the message
 * did not carry is null.
 */
public sealed interface DhcpEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.dhcp(this);
  }

  interface Visitor<R> {
    R serving(Serving e);

    R received(Received e);

    R offered(Offered e);

    R acked(Acked e);

    R naked(Naked e);

    R declined(Declined e);

    R released(Released e);

    R poolExhausted(PoolExhausted e);

    R otherServer(OtherServer e);

    R ignored(Ignored e);

    R clientSent(ClientSent e);

    R clientOffer(ClientOffer e);

    R clientProbe(ClientProbe e);

    R clientConflict(ClientConflict e);

    R clientBound(ClientBound e);

    R clientRetry(ClientRetry e);

    R clientNak(ClientNak e);

    R clientExpired(ClientExpired e);

    R clientReboot(ClientReboot e);

    R clientRebootTimeout(ClientRebootTimeout e);

    R leasesRestored(LeasesRestored e);

    R leaseFileError(LeaseFileError e);

    R relaying(Relaying e);

    R relayed(Relayed e);

    R relayedReply(RelayedReply e);

    R relayDropped(RelayDropped e);
  }

  /**
   * The server serves {@code iface}'s subnet from its pool, leasing for {@code leaseSeconds}; or,
   * {@code relayed}, a subnet behind relay agents (their giaddr lies in it) from {@code iface}'s
   * address.
   */
  @JsonTypeName("dhcp.serve")
  record Serving(String iface, String subnet, String poolStart, String poolEnd, long leaseSeconds, boolean relayed)
      implements DhcpEvent {
    public Serving(String iface, String subnet, String poolStart, String poolEnd, long leaseSeconds) {
      this(iface, subnet, poolStart, poolEnd, leaseSeconds, false);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serving(this);
    }
  }

  /**
   * A client message arrived on {@code iface}: its DHCP message type {@code message} (DISCOVER, REQUEST, DECLINE,
   * RELEASE, INFORM), the client's MAC, the IP source and destination it came with, the address
   * it asks for (option 50, or ciaddr when renewing), its host name (option 12) and whether it
   * set the BROADCAST flag; {@code relay} the relay agent's giaddr if a relay passed it on (it
   * then came from the relay's port 67), else null.
   */
  @JsonTypeName("dhcp.received")
  record Received(String iface, String message, String mac, long xid, String src, String dst, String requested,
                  String hostname, boolean broadcastFlag, String relay) implements DhcpEvent {
    public Received(String iface, String message, String mac, long xid, String src, String dst, String requested,
                    String hostname, boolean broadcastFlag) {
      this(iface, message, mac, xid, src, dst, requested, hostname, broadcastFlag, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.received(this);
    }
  }

  /**
   * An OFFER of {@code address} for {@code leaseSeconds}, with the router and DNS servers it
   * carries (null, empty: none), sent to {@code to}: 255.255.255.255 (broadcast) or the offered
   * address at the client's MAC ({@code broadcast} false); {@code relay} the relay agent it goes to
   * (its giaddr, port 67; {@code to} is then that address), else null.
   */
  @JsonTypeName("dhcp.offer")
  record Offered(String mac, String address, long leaseSeconds, String gateway, List<String> dns, String to,
                 boolean broadcast, String relay) implements DhcpEvent {
    public Offered(String mac, String address, long leaseSeconds, String gateway, List<String> dns, String to,
                   boolean broadcast) {
      this(mac, address, leaseSeconds, gateway, dns, to, broadcast, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.offered(this);
    }
  }

  /**
   * An ACK: {@code address} is the client's for {@code leaseSeconds}, renewal (T1) and rebinding
   * (T2) after the seconds given; {@code extended} if the client already held it (a renewal);
   * {@code relay} as for {@link Offered}.
   */
  @JsonTypeName("dhcp.ack")
  record Acked(String mac, String address, long leaseSeconds, long t1Seconds, long t2Seconds, String to,
               boolean broadcast, boolean extended, String relay) implements DhcpEvent {
    public Acked(String mac, String address, long leaseSeconds, long t1Seconds, long t2Seconds, String to,
                 boolean broadcast, boolean extended) {
      this(mac, address, leaseSeconds, t1Seconds, t2Seconds, to, broadcast, extended, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.acked(this);
    }
  }

  /**
   * A NAK: the client may not have {@code requested} (null if it named none), and why; broadcast,
   * or sent to the relay agent {@code relay} (with the BROADCAST flag set, for it to broadcast).
   */
  @JsonTypeName("dhcp.nak")
  record Naked(String mac, String requested, String reason, String relay) implements DhcpEvent {
    public Naked(String mac, String requested, String reason) {
      this(mac, requested, reason, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.naked(this);
    }
  }

  /** The client found {@code address} in use; it stays out of the pool for {@code holdSeconds}. */
  @JsonTypeName("dhcp.decline")
  record Declined(String mac, String address, long holdSeconds) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.declined(this);
    }
  }

  /** The client gave {@code address} back. */
  @JsonTypeName("dhcp.release")
  record Released(String mac, String address) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.released(this);
    }
  }

  /** No free address for the client: its DISCOVER goes unanswered ({@code soFar} counted so far). */
  @JsonTypeName("dhcp.exhausted")
  record PoolExhausted(String mac, String poolStart, String poolEnd, long soFar) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.poolExhausted(this);
    }
  }

  /** The client's REQUEST names server {@code server}: it took that server's offer, ours is withdrawn. */
  @JsonTypeName("dhcp.other_server")
  record OtherServer(String mac, String server, String withdrawn) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.otherServer(this);
    }
  }

  /**
   * A message the server did not answer: malformed ({@code reason} the check that failed, such
   * as {@code options_overrun}) or not for it ({@code relayed}, {@code not_a_request} ...),
   * with how many for that reason so far; {@code mac} is null when the message was too broken
   * to name one.
   */
  @JsonTypeName("dhcp.ignored")
  record Ignored(String mac, String reason, long soFar) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.ignored(this);
    }
  }

  /**
   * The client sent {@code message} (DISCOVER, REQUEST, DECLINE, RELEASE) on {@code iface} from
   * {@code src} to {@code dst} (port 68 to 67); {@code state} is why (init, selecting, renewing,
   * renew (asked with {@code dhcp renew}), rebinding, init-reboot, probing, release); {@code requested} the address asked for or given back and {@code server}
   * the server named, null if none; {@code attempt} counts from 1.
   */
  @JsonTypeName("dhcp.client_sent")
  record ClientSent(String iface, String message, String state, long xid, String src, String dst, String requested,
                    String server, int attempt) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientSent(this);
    }
  }

  /**
   * An OFFER of {@code address} from {@code server} for {@code leaseSeconds}, with its gateway and
   * DNS servers; {@code taken} if the client takes it (the first one), else the address it already
   * took from another server.
   */
  @JsonTypeName("dhcp.client_offer")
  record ClientOffer(String iface, String server, String address, long leaseSeconds, String gateway, List<String> dns,
                     boolean taken, String alreadyTaken) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientOffer(this);
    }
  }

  /** An ARP probe (RFC 5227) for {@code address} before using it; {@code probe} of {@code probes}. */
  @JsonTypeName("dhcp.client_probe")
  record ClientProbe(String iface, String address, int probe, int probes) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientProbe(this);
    }
  }

  /** The probe found {@code address} in use by {@code mac}: the client declines it and starts over. */
  @JsonTypeName("dhcp.client_conflict")
  record ClientConflict(String iface, String address, String mac, long restartSeconds) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientConflict(this);
    }
  }

  /**
   * The lease is in use: {@code address} (ADDRESS/n) on {@code iface}, default route via
   * {@code gateway} (null: none), resolver {@code dns}, renewal and rebinding after T1 and T2
   * seconds, expiry after {@code leaseSeconds}; {@code renewed} if it only extends a lease held.
   */
  @JsonTypeName("dhcp.client_bound")
  record ClientBound(String iface, String address, String server, String gateway, List<String> dns,
                     long leaseSeconds, long t1Seconds, long t2Seconds, boolean renewed) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientBound(this);
    }
  }

  /** No answer to {@code message}: the client sends it again after {@code delayMillis}, attempt {@code attempt}. */
  @JsonTypeName("dhcp.client_retry")
  record ClientRetry(String iface, String message, String waitingFor, int attempt, long delayMillis)
      implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientRetry(this);
    }
  }

  /** {@code server} refused with a NAK ({@code reason}: its message, or null): the client starts over. */
  @JsonTypeName("dhcp.client_nak")
  record ClientNak(String iface, String server, String reason) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientNak(this);
    }
  }

  /** The lease of {@code address} ran out unrenewed: the address and its routes are gone. */
  @JsonTypeName("dhcp.client_expired")
  record ClientExpired(String iface, String address) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientExpired(this);
    }
  }

  /**
   * The client starts from the lease its lease file remembers, {@code address} (ADDRESS/n) from
   * {@code server}, {@code leftSeconds} from expiry: INIT-REBOOT, a REQUEST for it without DISCOVER.
   */
  @JsonTypeName("dhcp.client_reboot")
  record ClientReboot(String iface, String address, String server, long leftSeconds) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientReboot(this);
    }
  }

  /**
   * No answer to INIT-REBOOT's {@code requests} REQUESTs for {@code address}: the client leaves
   * the address unused and starts over with DISCOVER, asking for it again.
   */
  @JsonTypeName("dhcp.client_reboot_timeout")
  record ClientRebootTimeout(String iface, String address, int requests) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientRebootTimeout(this);
    }
  }

  /**
   * The server read its lease file back at start: {@code restored} leases kept; {@code expired}
   * ones and {@code outside} ones (not in any scope's pool or static bindings, or an address
   * another line already holds) dropped; {@code skipped} lines that were not lease lines, the
   * first of them named in {@code problems} ("line 3: ...").
   */
  @JsonTypeName("dhcp.leases_restored")
  record LeasesRestored(String file, int restored, int expired, int outside, int skipped, List<String> problems)
      implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.leasesRestored(this);
    }
  }

  /** A lease file (the server's or the client's) could not be read or written, and why. */
  @JsonTypeName("dhcp.lease_file_error")
  record LeaseFileError(String file, String reason) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.leaseFileError(this);
    }
  }

  /**
   * A relay agent (RFC 1542, RFC 3046) on {@code iface} ({@code address}, the giaddr it gives):
   * clients' requests heard there go to {@code servers}; {@code agentInfo} if it adds option 82.
   */
  @JsonTypeName("dhcp.relay")
  record Relaying(String iface, String address, List<String> servers, boolean agentInfo) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.relaying(this);
    }
  }

  /**
   * The relay passed a client's {@code message} heard on {@code iface} on to {@code server}:67,
   * from {@code src}:67, with giaddr {@code giaddr} ({@code giaddrSet} if this relay set it, false
   * if an earlier relay had), hops now {@code hops}; {@code circuitId} the option 82 circuit-id it
   * added, or null.
   */
  @JsonTypeName("dhcp.relayed")
  record Relayed(String iface, String message, String mac, String hostname, long xid, String server, String src,
                 String giaddr, boolean giaddrSet, int hops, String circuitId) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.relayed(this);
    }
  }

  /**
   * The relay passed server {@code server}'s {@code message} for {@code mac} ({@code address}, its
   * yiaddr, null if 0) to the client on {@code iface}: to {@code to}:68, broadcast or unicast at
   * the client's MAC without ARP; {@code stripped} if it took its option 82 out first.
   */
  @JsonTypeName("dhcp.relayed_reply")
  record RelayedReply(String iface, String message, String mac, String server, String address, String to,
                      boolean broadcast, boolean stripped) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.relayedReply(this);
    }
  }

  /**
   * A message the relay dropped, by {@code reason} ({@code too_many_hops}, {@code unknown_giaddr},
   * {@code agent_info_mismatch}, a malformed message's check...), {@code soFar} for that reason;
   * {@code mac} null when the message was too broken to name one.
   */
  @JsonTypeName("dhcp.relay_dropped")
  record RelayDropped(String mac, String reason, long soFar) implements DhcpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.relayDropped(this);
    }
  }
}
