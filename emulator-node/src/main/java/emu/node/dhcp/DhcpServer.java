package emu.node.dhcp;

import emu.link.wire.MacAddress;
import emu.node.config.DhcpConfig;
import emu.node.event.DhcpEvent;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.trace.Tracer;
import emu.node.wire.DhcpMessage;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A DHCPv4 server (RFC 2131, options of RFC 2132) on the interfaces given a {@link DhcpConfig}:
 * one scope per interface, answering on the interface it was asked on, and scopes for subnets
 * behind relay agents.
 *
 * <p>Leases are kept per client MAC with their expiry on the stack's clock. An OFFER reserves its
 * address for {@link #OFFER_HOLD_SECONDS}; the REQUEST that selects it makes it a lease (ACK), a
 * REQUEST for an address the server cannot give gets a NAK. A DECLINE (the client found the
 * address in use) takes the address out of the pool for {@link #DECLINE_HOLD_SECONDS}; a RELEASE
 * frees it. With no free address left, the DISCOVER is not answered and counted. Replies go out as
 * RFC 2131 4.1 says: to ciaddr if the client has one, else broadcast if it set the BROADCAST flag,
 * else unicast to its hardware address and the address offered (no ARP: the client cannot answer
 * one yet); a NAK is always broadcast.
 *
 * <p>A relayed message (giaddr set, RFC 2131 4.1) is served from the scope whose subnet holds
 * giaddr, whichever interface it came in on, and answered to giaddr:67 from the server's address
 * on the scope's interface, routed like any datagram (a NAK with the BROADCAST flag set, for the
 * relay to broadcast); a request relayed from a giaddr no scope covers is met with silence,
 * counted. A client's option 82 (RFC 3046 2.2) is echoed in the answer. A unicast message
 * without giaddr on an interface without its own scope (a relayed client renewing at T1) is
 * served from the relayed scope whose subnet holds ciaddr, as ISC dhcpd does, and answered to
 * ciaddr, routed.
 *
 * <p>Given a lease file ({@link #restore}), the server reads its leases back at start and
 * writes the file again at every change of a bound lease (ACK, DECLINE, RELEASE), before the
 * ACK leaves (RFC 2131 3.1 step 4: the server "commits the binding ... to persistent storage and
 * responds with a DHCPACK"). The file is a line per lease (dnsmasq's format,
 * {@link DhcpLeaseFile}), so the write is small and done on the event loop; offers are not
 * written (a flood of DISCOVERs writes nothing).
 */
public final class DhcpServer {
  /** How long an offered address stays reserved for the client it was offered to. */
  public static final long OFFER_HOLD_SECONDS = 60;
  /** How long a declined address stays out of the pool (dnsmasq's DECLINE_BACKOFF). */
  public static final long DECLINE_HOLD_SECONDS = 600;
  /** The most nameservers option 6 can carry: 255 bytes of addresses. */
  public static final int MAX_DNS = 255 / 4;
  private static final long HALF_SECOND_NANOS = 500_000_000L;

  private final NetworkStack stack;
  private final Tracer tracer;
  private final DhcpServerCounters counters = new DhcpServerCounters();
  private final Map<Nic, Scope> scopes = new LinkedHashMap<>();
  /** Scopes for subnets behind relay agents. */
  private final List<Scope> relayed = new ArrayList<>();
  private final DhcpMessage in = new DhcpMessage();
  private final DhcpMessage.Writer writer = new DhcpMessage.Writer();
  private final DhcpFrames frames;
  private boolean bound;
  private Path leaseFile;

  public DhcpServer(NetworkStack stack, Tracer tracer) {
    this.stack = stack;
    this.tracer = tracer;
    this.frames = new DhcpFrames(stack);
  }

  /** One client's lease (or the offer that reserves its address). */
  public static final class Lease {
    final long mac;
    final int ip;
    long expiresNanos;
    boolean bound;
    String hostname;
    String clientId;

    Lease(long mac, int ip) {
      this.mac = mac;
      this.ip = ip;
    }

    public long mac() {
      return mac;
    }

    public int ip() {
      return ip;
    }

    public boolean bound() {
      return bound;
    }

    public long expiresNanos() {
      return expiresNanos;
    }

    /** The host name the client sent (option 12), or null. */
    public String hostname() {
      return hostname;
    }

    /** The client identifier (option 61) as hex pairs, or null. */
    public String clientId() {
      return clientId;
    }
  }

  private static final class Scope {
    final Nic nic;
    final int server;
    final Ipv4Cidr subnet;
    final int poolStart;
    final int poolEnd;
    final long leaseSeconds;
    final int gateway;
    final int[] dns;
    final String domain;
    final Map<Long, Integer> statics = new HashMap<>();
    final Map<Long, Lease> leases = new LinkedHashMap<>();
    final Map<Integer, Long> declinedUntil = new HashMap<>();
    /** A subnet behind relay agents: answers are routed, never framed on {@code nic}. */
    final boolean remote;

    Scope(Nic nic, DhcpConfig c) {
      this.nic = nic;
      this.server = nic.ip();
      this.remote = c.subnet() != null;
      this.subnet = remote ? Ipv4Cidr.parse(c.subnet()) : nic.address();
      this.poolStart = Ipv4Address.parse(c.poolStart());
      this.poolEnd = Ipv4Address.parse(c.poolEnd());
      this.leaseSeconds = c.leaseSeconds();
      this.gateway = c.gateway() == null ? 0 : Ipv4Address.parse(c.gateway());
      // option 6 holds at most 63 addresses (255 bytes); the topology's binder refuses more
      this.dns = c.dns() == null ? new int[0] : c.dns().stream().limit(MAX_DNS).mapToInt(Ipv4Address::parse).toArray();
      this.domain = c.domain();
      if (c.statics() != null) {
        c.statics().forEach((mac, ip) -> statics.put(MacAddress.parse(mac).bits(), Ipv4Address.parse(ip)));
      }
    }
  }

  /**
   * Serves {@code config} on {@code nic}, which must have an IPv4 address whose subnet holds the
   * pool (if it has one), and the relayed scopes {@code config} lists, each pool in its subnet.
   *
   * @throws IllegalArgumentException if it has none, or a pool lies outside its subnet
   */
  public void serve(Nic nic, DhcpConfig config) {
    if (nic.address() == null) {
      throw new IllegalArgumentException("DHCP server on " + nic.name() + " needs an IPv4 address on it");
    }
    List<Scope> add = new ArrayList<>();
    if (config.poolStart() != null) {
      add.add(scope(nic, config));
    }
    if (config.relayed() != null) {
      for (DhcpConfig r : config.relayed()) {
        if (r.subnet() == null) {
          throw new IllegalArgumentException("relayed DHCP scope on " + nic.name() + " without a subnet");
        }
        add.add(scope(nic, r));
      }
    }
    for (Scope s : add) {
      if (s.remote) {
        relayed.add(s);
      } else {
        scopes.put(nic, s);
      }
      if (tracer.enabled()) {
        tracer.emit(new DhcpEvent.Serving(nic.name(), s.subnet.networkCidr().toString(),
            Ipv4Address.format(s.poolStart), Ipv4Address.format(s.poolEnd), s.leaseSeconds, s.remote));
      }
    }
    if (!bound) {
      if (stack.udp().bind(DhcpMessage.SERVER_PORT, this::onDatagram) < 0) {
        throw new IllegalStateException("UDP port 67 is taken on " + stack.name());
      }
      bound = true;
    }
  }

  private static Scope scope(Nic nic, DhcpConfig config) {
    Scope s = new Scope(nic, config);
    if (!s.subnet.contains(s.poolStart) || !s.subnet.contains(s.poolEnd)
        || Integer.compareUnsigned(s.poolStart, s.poolEnd) > 0) {
      throw new IllegalArgumentException("DHCP pool " + config.poolStart() + "-" + config.poolEnd()
          + " is not a range inside " + (s.remote ? "the relayed subnet" : nic.name() + "'s subnet") + " "
          + s.subnet.networkCidr());
    }
    return s;
  }

  /**
   * The node's relay agent owns port 67 and hands this server what is its (a router may relay on
   * one interface and serve another).
   */
  void deliveredByRelay() {
    if (bound) {
      stack.udp().unbind(DhcpMessage.SERVER_PORT);
    }
    bound = true;
  }

  public DhcpServerCounters counters() {
    return counters;
  }

  /** The leases and offers of every scope, unexpired ones first by expiry. */
  public List<Lease> leases() {
    long now = stack.time().nanos();
    List<Lease> out = new ArrayList<>();
    List<Scope> all = new ArrayList<>(scopes.values());
    all.addAll(relayed);
    for (Scope s : all) {
      for (Lease l : s.leases.values()) {
        if (l.expiresNanos > now) {
          out.add(l);
        }
      }
    }
    out.sort((a, b) -> Long.compare(a.expiresNanos, b.expiresNanos));
    return out;
  }

  /** The wall-clock time (epoch seconds) at which the stack's clock reaches {@code nanos}. */
  public long epochSeconds(long nanos) {
    long delta = nanos - stack.time().nanos();
    return TimeUnit.NANOSECONDS.toSeconds(stack.time().epochNanos() + delta);
  }

  /**
   * Reads the leases {@code file} holds back into the scopes served so far (call it after every
   * {@link #serve}), and writes the file at every change from now on. Expired leases go, and so
   * do leases outside every scope's pool and static bindings (the topology changed), or whose
   * address another lease of the file already holds; bad lines are skipped. Each is told in the
   * {@code dhcp.leases_restored} event; nothing here throws for what the file holds.
   */
  public void restore(Path file) {
    this.leaseFile = file;
    List<String> lines;
    try {
      lines = DhcpLeaseFile.read(file);
    } catch (IOException e) {
      fileError("cannot read it: " + e.getMessage());
      return;
    }
    if (lines.isEmpty()) {
      return;
    }
    DhcpLeaseFile.Parsed parsed = DhcpLeaseFile.parse(lines);
    long now = stack.time().nanos();
    int restored = 0;
    int expired = 0;
    int outside = 0;
    long epoch = stack.time().epochNanos();
    for (DhcpLeaseFile.Entry e : parsed.entries()) {
      long leftSeconds = e.expiryEpochSeconds() - TimeUnit.NANOSECONDS.toSeconds(epoch);
      if (leftSeconds <= 0) {
        expired++;
        continue;
      }
      Scope home = null;
      for (Scope s : scopes.values()) {
        Integer fixed = s.statics.get(e.mac());
        if (s.subnet.contains(e.ip()) && (fixed != null ? fixed == e.ip() : inPool(s, e.ip()))
            && !s.leases.containsKey(e.mac()) && free(s, e.ip(), e.mac(), now)) {
          home = s;
          break;
        }
      }
      if (home == null) {
        outside++;
        continue;
      }
      Lease l = new Lease(e.mac(), e.ip());
      l.bound = true;
      // never longer than the scope leases now (a hand-written line, a clock set back); the
      // file counts whole seconds: the middle of that second, so reading the two clocks (now,
      // the wall clock) cannot print the expiry a second early
      l.expiresNanos = now + TimeUnit.SECONDS.toNanos(Math.min(leftSeconds, home.leaseSeconds)) + HALF_SECOND_NANOS
          - epoch % 1_000_000_000L;
      l.hostname = e.hostname();
      l.clientId = e.clientId();
      home.leases.put(e.mac(), l);
      restored++;
    }
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.LeasesRestored(file.toString(), restored, expired, outside, parsed.skipped(),
          parsed.problems()));
    }
    if (parsed.skipped() > 0) {
      System.err.println(stack.name() + ": DHCP lease file " + file + ": skipped " + parsed.skipped() + " bad line"
          + (parsed.skipped() == 1 ? "" : "s") + ": " + String.join("; ", parsed.problems()));
    }
  }

  /** Writes the bound, unexpired leases to the lease file, if there is one. */
  private void persist() {
    if (leaseFile == null) {
      return;
    }
    long now = stack.time().nanos();
    List<String> lines = new ArrayList<>();
    for (Scope s : scopes.values()) {
      for (Lease l : s.leases.values()) {
        if (l.bound && l.expiresNanos > now) {
          lines.add(DhcpLeaseFile.line(epochSeconds(l.expiresNanos), l.mac, l.ip, l.hostname, l.clientId));
        }
      }
    }
    try {
      DhcpLeaseFile.write(leaseFile, lines);
    } catch (IOException e) {
      fileError("cannot write it: " + e.getMessage() + "; the leases stay in memory");
    }
  }

  private void fileError(String why) {
    System.err.println(stack.name() + ": DHCP lease file " + leaseFile + ": " + why);
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.LeaseFileError(leaseFile.toString(), why));
    }
  }

  void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
    Nic nic = stack.udp().ingress();
    Scope scope = nic == null ? null : scopes.get(nic);
    if (scope == null && relayed.isEmpty()) {
      ignore(DhcpServerCounters.Reason.NOT_SERVED_HERE, false);
      return;
    }
    in.wrap(payload, payload.readerIndex(), payload.readableBytes());
    DhcpMessage.Check check = in.check();
    if (check != DhcpMessage.Check.OK) {
      counters.countMalformed(check);
      if (tracer.enabled()) {
        tracer.emit(new DhcpEvent.Ignored(null, check.name().toLowerCase(java.util.Locale.ROOT),
            counters.malformed(check)));
      }
      return;
    }
    if (in.op() != DhcpMessage.OP_REQUEST) {
      ignore(DhcpServerCounters.Reason.NOT_A_REQUEST, true);
      return;
    }
    if (in.giaddr() != 0) {
      scope = covering(in.giaddr(), true);
      if (scope == null) {
        ignore(DhcpServerCounters.Reason.UNKNOWN_GIADDR, true);
        return;
      }
    } else if (in.ciaddr() != 0 && (scope == null || !scope.subnet.contains(in.ciaddr()))) {
      // a relayed client renewing by unicast (RFC 2131 4.3.2 RENEWING): its ciaddr names the scope
      Scope remote = covering(in.ciaddr(), false);
      scope = remote != null ? remote : scope;
    }
    if (scope == null) {
      ignore(DhcpServerCounters.Reason.NOT_SERVED_HERE, true);
      return;
    }
    counters.countReceived(in.messageType());
    if (tracer.enabled()) {
      int requested = in.optionInt(DhcpMessage.OPT_REQUESTED_IP, in.ciaddr());
      tracer.emit(new DhcpEvent.Received(nic.name(), DhcpMessage.typeName(in.messageType()), mac(in.chaddr()),
          in.xid() & 0xFFFF_FFFFL, Ipv4Address.format(srcIp), Ipv4Address.format(dstIp),
          requested == 0 ? null : Ipv4Address.format(requested), in.optionText(DhcpMessage.OPT_HOSTNAME),
          in.broadcastFlag(), in.giaddr() == 0 ? null : Ipv4Address.format(in.giaddr())));
    }
    switch (in.messageType()) {
      case DhcpMessage.DISCOVER -> discover(scope);
      case DhcpMessage.REQUEST -> request(scope);
      case DhcpMessage.DECLINE -> decline(scope);
      case DhcpMessage.RELEASE -> release(scope);
      case DhcpMessage.INFORM -> inform(scope);
      default -> counters.countDrop(DhcpServerCounters.Reason.NOT_A_REQUEST);
    }
  }

  /** The scope whose subnet holds {@code ip}: a relayed one, else ({@code local}) an interface's; null if none. */
  private Scope covering(int ip, boolean local) {
    for (Scope s : relayed) {
      if (s.subnet.contains(ip)) {
        return s;
      }
    }
    for (Scope s : local ? scopes.values() : List.<Scope>of()) {
      if (s.subnet.contains(ip)) {
        return s;
      }
    }
    return null;
  }

  private void ignore(DhcpServerCounters.Reason why, boolean parsed) {
    counters.countDrop(why);
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.Ignored(parsed ? mac(in.chaddr()) : null, why.name().toLowerCase(java.util.Locale.ROOT),
          counters.dropped(why)));
    }
  }

  private static String mac(long bits) {
    return MacAddress.format(bits);
  }

  private void discover(Scope s) {
    long mac = in.chaddr();
    long now = stack.time().nanos();
    Integer fixed = s.statics.get(mac);
    if (fixed != null && !free(s, fixed, mac, now)) {
      // declined and held, or the server's or gateway's own: an OFFER would only draw a NAK
      ignore(DhcpServerCounters.Reason.STATIC_UNAVAILABLE, true);
      return;
    }
    int ip = choose(s, mac, in.optionInt(DhcpMessage.OPT_REQUESTED_IP, 0), now);
    if (ip == 0) {
      counters.poolExhausted++;
      if (tracer.enabled()) {
        tracer.emit(new DhcpEvent.PoolExhausted(mac(mac), Ipv4Address.format(s.poolStart), Ipv4Address.format(s.poolEnd),
            counters.poolExhausted));
      }
      return;
    }
    Lease l = take(s, mac, ip, now);
    if (!l.bound || l.expiresNanos <= now) {
      l.bound = false;
      l.expiresNanos = now + TimeUnit.SECONDS.toNanos(OFFER_HOLD_SECONDS);
    }
    remember(l);
    reply(s, DhcpMessage.OFFER, ip, s.leaseSeconds, false);
  }

  /**
   * The address to offer {@code mac}: its static binding, else the address it holds or was
   * offered, else the one it asks for if free, else the lowest free one; 0 if none is free.
   */
  private int choose(Scope s, long mac, int requested, long now) {
    Integer fixed = s.statics.get(mac);
    if (fixed != null) {
      return fixed;
    }
    Lease held = s.leases.get(mac);
    if (held != null && free(s, held.ip, mac, now)) {
      return held.ip;
    }
    if (requested != 0 && inPool(s, requested) && free(s, requested, mac, now)) {
      return requested;
    }
    for (int ip = s.poolStart; Integer.compareUnsigned(ip, s.poolEnd) <= 0; ip++) {
      if (free(s, ip, mac, now)) {
        return ip;
      }
      if (ip == s.poolEnd) {
        break;
      }
    }
    return 0;
  }

  private static boolean inPool(Scope s, int ip) {
    return Integer.compareUnsigned(ip, s.poolStart) >= 0 && Integer.compareUnsigned(ip, s.poolEnd) <= 0;
  }

  /** True if {@code ip} may be given to {@code mac}: nobody else holds or was offered it, not declined. */
  private boolean free(Scope s, int ip, long mac, long now) {
    if (ip == s.server || ip == s.gateway || ip == s.subnet.networkCidr().address() || ip == s.subnet.broadcast()) {
      return false;
    }
    Long declined = s.declinedUntil.get(ip);
    if (declined != null) {
      if (declined > now) {
        return false;
      }
      s.declinedUntil.remove(ip);
    }
    for (Map.Entry<Long, Integer> e : s.statics.entrySet()) {
      if (e.getValue() == ip && e.getKey() != mac) {
        return false;
      }
    }
    for (Lease l : s.leases.values()) {
      if (l.ip == ip && l.mac != mac && l.expiresNanos > now) {
        return false;
      }
    }
    return true;
  }

  private void request(Scope s) {
    long mac = in.chaddr();
    long now = stack.time().nanos();
    int serverId = in.optionInt(DhcpMessage.OPT_SERVER_ID, 0);
    int requested = in.optionInt(DhcpMessage.OPT_REQUESTED_IP, 0);
    int ciaddr = in.ciaddr();
    Lease l = s.leases.get(mac);
    if (serverId != 0) {
      // SELECTING: the client answers one OFFER; any other server's offer is thereby declined
      if (serverId != s.server) {
        int withdrawn = 0;
        if (l != null && !l.bound) {
          s.leases.remove(mac);
          withdrawn = l.ip;
        }
        counters.otherServerChosen++;
        if (tracer.enabled()) {
          tracer.emit(new DhcpEvent.OtherServer(mac(mac), Ipv4Address.format(serverId),
              withdrawn == 0 ? null : Ipv4Address.format(withdrawn)));
        }
        return;
      }
      if (l == null || l.ip != requested || (!l.bound && l.expiresNanos <= now) || !free(s, requested, mac, now)) {
        nak(s, "requested address not offered to this client");
        return;
      }
      ack(s, l, now);
      return;
    }
    // INIT-REBOOT (requested, no ciaddr), RENEWING and REBINDING (ciaddr)
    int wanted = ciaddr != 0 ? ciaddr : requested;
    if (wanted == 0) {
      ignore(DhcpServerCounters.Reason.REQUEST_WITHOUT_ADDRESS, true);
      return;
    }
    if (!s.subnet.contains(wanted)) {
      nak(s, "wrong network");
      return;
    }
    Integer fixed = s.statics.get(mac);
    boolean mine = l != null && l.ip == wanted && l.expiresNanos > now;
    boolean grantable = (fixed != null ? fixed == wanted : inPool(s, wanted)) && free(s, wanted, mac, now);
    if (!mine && !grantable && l == null && fixed == null) {
      // RFC 2131 4.3.2: no record of this client (another server's, say): stay silent
      ignore(DhcpServerCounters.Reason.NO_RECORD, true);
      return;
    }
    if (!mine && !grantable) {
      nak(s, "address not available");
      return;
    }
    if (fixed != null && fixed != wanted) {
      nak(s, "address not available");
      return;
    }
    ack(s, take(s, mac, wanted, now), now);
  }

  /**
   * The client's record for {@code ip}, made anew if it held another address; expired records of
   * other clients for the same address go, so the table stays within the pool's size.
   */
  private static Lease take(Scope s, long mac, int ip, long now) {
    Lease l = s.leases.get(mac);
    if (l != null && l.ip == ip) {
      return l;
    }
    s.leases.values().removeIf(o -> o.ip == ip && o.mac != mac && o.expiresNanos <= now);
    l = new Lease(mac, ip);
    s.leases.put(mac, l);
    return l;
  }

  private void ack(Scope s, Lease l, long now) {
    boolean extended = l.bound && l.expiresNanos > now;
    l.bound = true;
    l.expiresNanos = now + TimeUnit.SECONDS.toNanos(s.leaseSeconds);
    remember(l);
    persist(); // before the ACK leaves
    counters.acks++;
    reply(s, DhcpMessage.ACK, l.ip, s.leaseSeconds, extended);
  }

  private void remember(Lease l) {
    String host = in.optionText(DhcpMessage.OPT_HOSTNAME);
    if (host != null) {
      l.hostname = host;
    }
    String id = in.optionHex(DhcpMessage.OPT_CLIENT_ID);
    if (id != null) {
      l.clientId = id;
    }
  }

  private void decline(Scope s) {
    int ip = in.optionInt(DhcpMessage.OPT_REQUESTED_IP, 0);
    Lease l = s.leases.get(in.chaddr());
    if (ip == 0 || l == null || l.ip != ip) {
      ignore(DhcpServerCounters.Reason.DECLINE_UNKNOWN, true);
      return;
    }
    s.leases.remove(in.chaddr());
    s.declinedUntil.put(ip, stack.time().nanos() + TimeUnit.SECONDS.toNanos(DECLINE_HOLD_SECONDS));
    persist();
    counters.declines++;
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.Declined(mac(in.chaddr()), Ipv4Address.format(ip), DECLINE_HOLD_SECONDS));
    }
  }

  private void release(Scope s) {
    Lease l = s.leases.get(in.chaddr());
    if (l == null || l.ip != in.ciaddr()) {
      ignore(DhcpServerCounters.Reason.RELEASE_UNKNOWN, true);
      return;
    }
    s.leases.remove(in.chaddr());
    persist();
    counters.releases++;
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.Released(mac(in.chaddr()), Ipv4Address.format(l.ip)));
    }
  }

  private void inform(Scope s) {
    if (in.ciaddr() == 0) {
      ignore(DhcpServerCounters.Reason.REQUEST_WITHOUT_ADDRESS, true);
      return;
    }
    reply(s, DhcpMessage.ACK, 0, 0, false);
  }

  private void nak(Scope s, String why) {
    counters.naks++;
    if (tracer.enabled()) {
      int requested = in.optionInt(DhcpMessage.OPT_REQUESTED_IP, in.ciaddr());
      tracer.emit(new DhcpEvent.Naked(mac(in.chaddr()), requested == 0 ? null : Ipv4Address.format(requested), why,
          in.giaddr() == 0 ? null : Ipv4Address.format(in.giaddr())));
    }
    ByteBuf frame = start(s);
    // RFC 2131 4.1: through a relay, with the BROADCAST flag set for it to broadcast
    int flags = in.giaddr() == 0 ? in.flags() : in.flags() | DhcpMessage.FLAG_BROADCAST;
    writer.begin(frame, DhcpMessage.OP_REPLY, in.xid(), 0, flags, 0, 0, 0, in.giaddr(), in.chaddr())
        .optionByte(DhcpMessage.OPT_MESSAGE_TYPE, DhcpMessage.NAK)
        .optionInt(DhcpMessage.OPT_SERVER_ID, s.server)
        .optionText(DhcpMessage.OPT_MESSAGE, why);
    echoAgentInfo();
    int len = writer.finish();
    send(s, frame, len, Ipv4Address.BROADCAST, MacAddress.BROADCAST_BITS);
  }

  /** RFC 3046 2.2: the relay agent's option 82, back as it came (the last option before the end). */
  private void echoAgentInfo() {
    int at = in.optionIndex(DhcpMessage.OPT_RELAY_AGENT);
    if (at >= 0) {
      byte[] info = new byte[in.optionLength(DhcpMessage.OPT_RELAY_AGENT)];
      in.buffer().getBytes(at, info);
      writer.optionBytes(DhcpMessage.OPT_RELAY_AGENT, info);
    }
  }

  /** A buffer for the answer: a frame on the scope's link, or a datagram routed to a relay or a remote client. */
  private ByteBuf start(Scope s) {
    return routed(s) ? frames.startRouted() : frames.start();
  }

  private boolean routed(Scope s) {
    return in.giaddr() != 0 || s.remote;
  }

  /** An OFFER or ACK of {@code yiaddr}; an INFORM's ACK has yiaddr 0 and no lease time. */
  private void reply(Scope s, int type, int yiaddr, long leaseSeconds, boolean extended) {
    if (type == DhcpMessage.OFFER) {
      counters.offers++;
    }
    ByteBuf frame = start(s);
    // RFC 2131 table 3: an OFFER's ciaddr is 0; an ACK's is the request's; giaddr is the request's
    int ciaddr = type == DhcpMessage.OFFER ? 0 : in.ciaddr();
    writer.begin(frame, DhcpMessage.OP_REPLY, in.xid(), 0, in.flags(), ciaddr, yiaddr, 0, in.giaddr(), in.chaddr())
        .optionByte(DhcpMessage.OPT_MESSAGE_TYPE, type)
        .optionInt(DhcpMessage.OPT_SERVER_ID, s.server);
    if (leaseSeconds > 0) {
      writer.optionInt(DhcpMessage.OPT_LEASE_TIME, (int) leaseSeconds)
          .optionInt(DhcpMessage.OPT_RENEWAL_TIME, (int) (leaseSeconds / 2))
          .optionInt(DhcpMessage.OPT_REBINDING_TIME, (int) (leaseSeconds * 7 / 8));
    }
    // the mask and router always (as dnsmasq does); the rest as the parameter request list asks,
    // all configured without one
    boolean asks = in.has(DhcpMessage.OPT_PARAMETER_LIST);
    writer.optionInt(DhcpMessage.OPT_SUBNET_MASK, Ipv4Address.mask(s.subnet.prefixLength()));
    if (s.gateway != 0) {
      writer.optionInts(DhcpMessage.OPT_ROUTER, new int[] {s.gateway});
    }
    if (s.dns.length > 0 && (!asks || in.requests(DhcpMessage.OPT_DNS))) {
      writer.optionInts(DhcpMessage.OPT_DNS, s.dns);
    }
    String host = in.optionText(DhcpMessage.OPT_HOSTNAME);
    if (host != null && in.requests(DhcpMessage.OPT_HOSTNAME)) {
      writer.optionText(DhcpMessage.OPT_HOSTNAME, host);
    }
    if (s.domain != null && (!asks || in.requests(DhcpMessage.OPT_DOMAIN))) {
      writer.optionText(DhcpMessage.OPT_DOMAIN, s.domain);
    }
    if (!asks || in.requests(DhcpMessage.OPT_BROADCAST)) {
      writer.optionInt(DhcpMessage.OPT_BROADCAST, s.subnet.broadcast());
    }
    echoAgentInfo();
    int len = writer.finish();
    int dstIp;
    long dstMac;
    boolean broadcast = false;
    if (in.giaddr() != 0) {
      dstIp = in.giaddr(); // RFC 2131 4.1: to the relay's port 67 (routed; dstMac unused)
      dstMac = 0;
    } else if (in.ciaddr() != 0) {
      dstIp = in.ciaddr();
      dstMac = in.chaddr(); // the client holds ciaddr and answers on its own MAC
    } else if (in.broadcastFlag()) {
      dstIp = Ipv4Address.BROADCAST;
      dstMac = MacAddress.BROADCAST_BITS;
      broadcast = true;
    } else {
      dstIp = yiaddr;
      dstMac = in.chaddr();
    }
    if (tracer.enabled() && yiaddr != 0) {
      String m = mac(in.chaddr());
      String a = Ipv4Address.format(yiaddr);
      String to = Ipv4Address.format(dstIp);
      String relay = in.giaddr() == 0 ? null : to;
      tracer.emit(type == DhcpMessage.OFFER
          ? new DhcpEvent.Offered(m, a, leaseSeconds, s.gateway == 0 ? null : Ipv4Address.format(s.gateway),
              java.util.Arrays.stream(s.dns).mapToObj(Ipv4Address::format).toList(), to, broadcast, relay)
          : new DhcpEvent.Acked(m, a, leaseSeconds, leaseSeconds / 2, leaseSeconds * 7 / 8, to, broadcast, extended,
              relay));
    }
    send(s, frame, len, dstIp, dstMac);
  }

  private void send(Scope s, ByteBuf frame, int len, int dstIp, long dstMac) {
    if (in.giaddr() != 0) {
      frames.sendRouted(frame, s.server, DhcpMessage.SERVER_PORT, in.giaddr(), DhcpMessage.SERVER_PORT);
    } else if (s.remote) {
      // no giaddr on a relayed subnet: a renewing client, unicast to its ciaddr (a NAK too: the
      // client is not on this link to hear a broadcast)
      frames.sendRouted(frame, s.server, DhcpMessage.SERVER_PORT, in.ciaddr(), DhcpMessage.CLIENT_PORT);
    } else {
      frames.send(s.nic, frame, len, s.server, DhcpMessage.SERVER_PORT, dstIp, DhcpMessage.CLIENT_PORT, dstMac);
    }
  }
}
