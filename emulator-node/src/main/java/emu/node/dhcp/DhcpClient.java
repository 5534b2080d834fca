package emu.node.dhcp;

import emu.link.time.TimeSource;
import emu.link.wire.MacAddress;
import emu.node.config.NodeConfig;
import emu.node.event.DhcpEvent;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.trace.Tracer;
import emu.node.wire.ArpPacket;
import emu.node.wire.DhcpMessage;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The DHCPv4 client of the interfaces written {@code address: dhcp} (RFC 2131 section 4.4):
 * DISCOVER, the first OFFER taken, REQUEST, ACK, then an ARP probe of the address (RFC 5227)
 * before it is used, with a DECLINE and a fresh start if someone answers for it. Bound, the
 * interface gets the address and prefix, the default route and the resolver of the lease;
 * the client renews at T1 (REQUEST unicast to the server), rebinds at T2 (broadcast) and loses
 * the address at expiry; {@link #stop} releases it.
 *
 * <p>Messages before the lease go out as whole frames from 0.0.0.0 with the BROADCAST flag set,
 * so that the server's answers come back as broadcasts an interface without an address
 * receives (RFC 2131 4.1 allows it). Retransmissions wait 4 s, 8 s, 16 s, 32 s, then 64 s each,
 * each randomised by up to a second either way (RFC 2131 4.1), on the stack's clock and random
 * source; in RENEWING and REBINDING half the time left, at least 60 s (4.4.5). The probe is
 * RFC 5227's shortened: {@link #PROBES} probes {@link #PROBE_INTERVAL_MILLIS} apart, then as long
 * again to hear a conflict (2.1.1 has three probes and a two-second wait).
 *
 * <p>Given a lease file ({@link #leaseFile}), the client writes each interface's lease there
 * when it is bound or renewed, and drops it when it is lost (NAK, expiry, RELEASE). An
 * interface whose remembered lease has not expired when the client starts begins in
 * INIT-REBOOT (RFC 2131 3.2, 4.4.2): a broadcast REQUEST from 0.0.0.0 with the address in
 * option 50, no server identifier and ciaddr 0, sent {@link #REBOOT_REQUESTS} times (4 s apart,
 * then 8 s more to hear an answer: some 12 s, about dhclient's ten-second reboot timeout). An
 * ACK is probed and bound as a new lease is; a NAK starts over at once. No answer: the client
 * does not use the address unconfirmed (RFC 2131 lets it, until the lease expires), since in a
 * lab silence mostly means the server is down or was replaced and an unconfirmed address may be
 * someone else's; it starts over with DISCOVER, asking for the same address in option 50, so a
 * server that still knows the lease gives it back.
 */
public final class DhcpClient {
  public static final int PROBES = 2;
  public static final long PROBE_INTERVAL_MILLIS = 500;
  /** After a DECLINE, RFC 2131 3.1.5: at least ten seconds before starting over. */
  public static final long DECLINE_RESTART_SECONDS = 10;
  /**
   * The shortest lease the client keeps: a shorter one (1 s, say) is taken as this long, so that
   * a server's tiny lease cannot make the client renew in a loop.
   */
  public static final long MIN_LEASE_SECONDS = 16;
  /** The metric of a lease's default route on a node with a static one too (systemd-networkd's for DHCP routes). */
  public static final int BEHIND_STATIC_METRIC = 1024;
  /** INIT-REBOOT's REQUESTs before the client gives up on its remembered lease. */
  public static final int REBOOT_REQUESTS = 2;
  private static final byte[] PARAMETERS = {DhcpMessage.OPT_SUBNET_MASK, DhcpMessage.OPT_ROUTER, DhcpMessage.OPT_DNS,
      DhcpMessage.OPT_DOMAIN, DhcpMessage.OPT_BROADCAST, DhcpMessage.OPT_LEASE_TIME, DhcpMessage.OPT_SERVER_ID,
      DhcpMessage.OPT_RENEWAL_TIME, DhcpMessage.OPT_REBINDING_TIME};

  /**
   * The client's states (RFC 2131 figure 5: REBOOTING after INIT-REBOOT's REQUEST), plus PROBING
   * between ACK and BOUND.
   */
  public enum State { INIT, SELECTING, REQUESTING, REBOOTING, PROBING, BOUND, RENEWING, REBINDING, STOPPED }

  /** What a lease gives the node beyond the interface's address: the resolver's servers. */
  public interface Listener {
    void nameservers(Nic nic, List<Integer> servers);
  }

  private final NetworkStack stack;
  private final Tracer tracer;
  private final String hostname;
  private final Listener listener;
  private final DhcpFrames frames;
  private final DhcpMessage in = new DhcpMessage();
  private final DhcpMessage.Writer writer = new DhcpMessage.Writer();
  private final Map<Nic, Binding> bindings = new LinkedHashMap<>();
  private final List<Consumer<Nic>> boundListeners = new ArrayList<>();
  private final DhcpClientCounters counters = new DhcpClientCounters();
  private int defaultRouteMetric;
  private Path leaseFile;
  /** The leases read from the lease file, by interface name, until their interface is added. */
  private final Map<String, DhcpLeaseFile.ClientLease> remembered = new LinkedHashMap<>();

  public DhcpClient(NetworkStack stack, Tracer tracer, String hostname, Listener listener) {
    this.stack = stack;
    this.tracer = tracer;
    // option 12 holds at most 255 bytes: a longer name is cut there
    this.hostname = hostname == null || hostname.length() <= 255 ? hostname : hostname.substring(0, 255);
    this.listener = listener;
    this.frames = new DhcpFrames(stack);
  }

  /** One interface's client. */
  private final class Binding {
    final Nic nic;
    State state = State.INIT;
    int xid;
    int attempt;
    long startedNanos;
    TimeSource.Timer timer;
    // the offer or lease
    int server;
    /** The MAC the lease's ACK came from: the RELEASE goes to it as a frame, without ARP. */
    long serverMac;
    int address;
    int prefix;
    int gateway;
    List<Integer> dns = List.of();
    long leaseSeconds;
    long t1Seconds;
    long t2Seconds;
    long boundAtNanos;
    int probesSent;
    boolean conflict;
    /** The address the next DISCOVER asks for (option 50): the remembered one INIT-REBOOT got no answer for. */
    int hint;
    /** The lease this interface has in the lease file, or null. */
    DhcpLeaseFile.ClientLease saved;

    Binding(Nic nic) {
      this.nic = nic;
    }
  }

  /**
   * The metric a lease's default route gets on the node {@code config} describes: 0 on a node
   * without a static default route, else {@link #BEHIND_STATIC_METRIC}, or one more than the
   * static one's if that is higher, so a static default route always stays the one in use.
   */
  public static int defaultRouteMetric(NodeConfig config) {
    int highest = config.gateway() != null ? 0 : -1;
    if (config.routes() != null) {
      for (NodeConfig.StaticRoute r : config.routes()) {
        if (!r.ipv6() && ("default".equals(r.to()) || Ipv4Cidr.parse(r.to()).prefixLength() == 0)) {
          highest = Math.max(highest, r.metric());
        }
      }
    }
    return highest < 0 ? 0 : Math.max(BEHIND_STATIC_METRIC, highest + 1);
  }

  /**
   * The metric of the default route a lease installs (0 unless set). A node that also has a
   * static default route gives the lease's a higher one, so the static route stays in use and
   * the lease's is there behind it, as Linux's DHCP clients install theirs (systemd-networkd
   * uses 1024).
   */
  public DhcpClient defaultRouteMetric(int metric) {
    this.defaultRouteMetric = metric;
    return this;
  }

  /**
   * Keeps the leases in {@code file} (the node's {@code NODE.dhcp-client.leases}), reading the
   * ones it holds now: call it before {@link #add}. A line that is not a lease is skipped and
   * told ({@code dhcp.lease_file_error}); nothing the file holds makes this throw.
   */
  public DhcpClient leaseFile(Path file) {
    this.leaseFile = file;
    List<String> lines;
    try {
      lines = DhcpLeaseFile.read(file);
    } catch (IOException e) {
      fileError("cannot read it: " + e.getMessage());
      return this;
    }
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        DhcpLeaseFile.ClientLease l = DhcpLeaseFile.ClientLease.parse(line);
        remembered.put(l.iface(), l);
      } catch (IllegalArgumentException e) { // NumberFormatException too
        fileError("line " + (n + 1) + " skipped: " + e.getMessage());
      }
    }
    return this;
  }

  /**
   * Runs the client on {@code nic}, which must have no address: DISCOVER goes out at once, or
   * INIT-REBOOT's REQUEST if the lease file remembers an unexpired lease of the interface.
   */
  public void add(Nic nic) {
    if (bindings.isEmpty()) {
      if (stack.udp().bind(DhcpMessage.CLIENT_PORT, this::onDatagram) < 0) {
        throw new IllegalStateException("UDP port 68 is taken on " + stack.name());
      }
      stack.arp().addWatcher(this::onArp);
    }
    Binding b = new Binding(nic);
    bindings.put(nic, b);
    DhcpLeaseFile.ClientLease last = remembered.remove(nic.name());
    long left = last == null ? 0 : last.expiresEpochSeconds() - TimeUnit.NANOSECONDS.toSeconds(stack.time().epochNanos());
    if (left > 0) {
      reboot(b, last, left);
    } else {
      init(b);
    }
  }

  /** Called with the interface each time a lease is bound (first time or renewed). */
  public void onBound(Consumer<Nic> l) {
    boundListeners.add(l);
  }

  /** The replies left unused, by reason. */
  public DhcpClientCounters counters() {
    return counters;
  }

  public State state(Nic nic) {
    Binding b = bindings.get(nic);
    return b == null ? null : b.state;
  }

  /** True when every interface the client runs on holds a lease. */
  public boolean allBound() {
    for (Binding b : bindings.values()) {
      if (b.state != State.BOUND && b.state != State.RENEWING && b.state != State.REBINDING) {
        return false;
      }
    }
    return true;
  }

  /** Nanoseconds on the stack's clock at which {@code nic}'s lease expires, or -1 without one. */
  public long expiresNanos(Nic nic) {
    Binding b = bindings.get(nic);
    return b == null || b.boundAtNanos == 0 ? -1 : b.boundAtNanos + TimeUnit.SECONDS.toNanos(b.leaseSeconds);
  }

  /** Nanoseconds on the stack's clock at which {@code nic}'s lease is renewed (T1), or -1. */
  public long renewsNanos(Nic nic) {
    Binding b = bindings.get(nic);
    return b == null || b.boundAtNanos == 0 ? -1 : b.boundAtNanos + TimeUnit.SECONDS.toNanos(b.t1Seconds);
  }

  /**
   * Renews {@code iface}'s lease now rather than at T1, as {@code networkctl renew} does: a
   * REQUEST unicast to the server that gave it (RENEWING), retried as at T1.
   *
   * @return what it does, for the command's output
   * @throws IllegalArgumentException if the client does not run on {@code iface} or it holds no lease
   */
  public String renewNow(String iface) {
    for (Binding b : bindings.values()) {
      if (b.nic.name().equals(iface)) {
        if (b.state != State.BOUND && b.state != State.RENEWING && b.state != State.REBINDING) {
          throw new IllegalArgumentException(iface + " holds no lease to renew (the client is "
              + b.state.name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        cancel(b);
        b.state = State.RENEWING;
        b.xid = stack.random().nextInt();
        b.attempt = 1;
        send(b, DhcpMessage.REQUEST, "renew", b.address, 0, 0, false);
        long untilT2 = b.boundAtNanos + TimeUnit.SECONDS.toNanos(b.t2Seconds) - stack.time().nanos();
        scheduleHalfway(b, untilT2, "REQUEST", () -> renewAgain(b), () -> rebind(b));
        return "renewing " + Ipv4Address.format(b.address) + " on " + iface + " with " + Ipv4Address.format(b.server);
      }
    }
    throw new IllegalArgumentException("the DHCP client does not run on " + iface + " (it runs on: "
        + String.join(", ", bindings.keySet().stream().map(Nic::name).toList()) + ")");
  }

  /**
   * Releases every lease and stops. The RELEASE is unicast to the server as a whole frame, to the
   * MAC its ACK came from, so it leaves at once (no ARP to wait for) even if the links close next.
   */
  public void stop() {
    for (Binding b : bindings.values()) {
      cancel(b);
      if (b.boundAtNanos != 0 && b.nic.address() != null) {
        send(b, DhcpMessage.RELEASE, "release", b.address, b.address, b.server, false);
        unbind(b);
      }
      b.state = State.STOPPED;
    }
  }

  // ---- states ------------------------------------------------------------------------------

  private void init(Binding b) {
    init(b, 0);
  }

  /** INIT: a DISCOVER at once, asking for {@code hint} (0: for no address in particular). */
  private void init(Binding b, int hint) {
    cancel(b);
    b.hint = hint;
    b.state = State.SELECTING;
    b.xid = stack.random().nextInt();
    b.attempt = 0;
    b.startedNanos = stack.time().nanos();
    b.server = 0;
    b.address = 0;
    discover(b);
  }

  private void discover(Binding b) {
    b.attempt++;
    send(b, DhcpMessage.DISCOVER, "init", 0, b.hint, 0, true);
    retransmit(b, "DISCOVER", "an OFFER", () -> discover(b));
  }

  private void request(Binding b) {
    b.attempt++;
    send(b, DhcpMessage.REQUEST, "selecting", 0, b.address, b.server, true);
    if (b.attempt > 4) {
      // RFC 2131 3.1.5: no ACK after its retransmissions, back to INIT
      init(b);
      return;
    }
    retransmit(b, "REQUEST", "an ACK", () -> request(b));
  }

  /**
   * INIT-REBOOT (RFC 2131 3.2): the remembered lease of {@code last}, {@code leftSeconds} from
   * expiry, asked for again with a REQUEST that names no server.
   */
  private void reboot(Binding b, DhcpLeaseFile.ClientLease last, long leftSeconds) {
    cancel(b);
    b.state = State.REBOOTING;
    b.xid = stack.random().nextInt();
    b.attempt = 0;
    b.startedNanos = stack.time().nanos();
    b.server = last.server();
    b.address = last.address();
    b.saved = last;
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.ClientReboot(b.nic.name(), new Ipv4Cidr(last.address(), last.prefix()).toString(),
          Ipv4Address.format(last.server()), leftSeconds));
    }
    rebootRequest(b);
  }

  private void rebootRequest(Binding b) {
    b.attempt++;
    // RFC 2131 4.4.2: option 50 holds the address, ciaddr is 0, no server identifier
    send(b, DhcpMessage.REQUEST, "init-reboot", 0, b.address, 0, true);
    if (b.attempt < REBOOT_REQUESTS) {
      retransmit(b, "REQUEST", "an ACK", () -> rebootRequest(b));
      return;
    }
    b.timer = stack.time().schedule(() -> {
      int address = b.address;
      if (tracer.enabled()) {
        tracer.emit(new DhcpEvent.ClientRebootTimeout(b.nic.name(), Ipv4Address.format(address), b.attempt));
      }
      forget(b);
      init(b, address); // the DISCOVER asks for it again (RFC 2131 4.4.1 lets it suggest one)
    }, TimeUnit.MILLISECONDS.toNanos(backoffMillis(b)));
  }

  /** RFC 2131 4.1: 4 s, 8 s ... up to 64 s after attempt 1, 2 ..., each +-1 s at random. */
  private long backoffMillis(Binding b) {
    long base = TimeUnit.SECONDS.toMillis(4L << Math.min(b.attempt - 1, 4));
    return base - 1000 + stack.random().nextLong(2001);
  }

  /** RFC 2131 4.1: 4 s, 8 s ... up to 64 s, each +-1 s at random. */
  private void retransmit(Binding b, String message, String waitingFor, Runnable again) {
    long delay = backoffMillis(b);
    b.timer = stack.time().schedule(() -> {
      if (tracer.enabled()) {
        tracer.emit(new DhcpEvent.ClientRetry(b.nic.name(), message, waitingFor, b.attempt + 1, delay));
      }
      again.run();
    }, TimeUnit.MILLISECONDS.toNanos(delay));
  }

  private void probe(Binding b) {
    cancel(b);
    b.state = State.PROBING;
    b.probesSent = 0;
    b.conflict = false;
    probeNext(b);
  }

  private void probeNext(Binding b) {
    if (b.conflict) {
      return;
    }
    if (b.probesSent == PROBES) {
      bind(b, false);
      return;
    }
    b.probesSent++;
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.ClientProbe(b.nic.name(), Ipv4Address.format(b.address), b.probesSent, PROBES));
    }
    stack.arp().probe(b.nic, b.address);
    b.timer = stack.time().schedule(() -> probeNext(b), TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MILLIS));
  }

  private void onArp(Nic nic, int op, int senderIp, long senderMac, int targetIp) {
    Binding b = bindings.get(nic);
    if (b == null || b.state != State.PROBING || b.conflict || senderMac == nic.mac()) {
      return;
    }
    // RFC 5227 2.1.1: any ARP from the address, or another host's probe for it
    boolean conflict = senderIp == b.address || (senderIp == 0 && op == ArpPacket.OP_REQUEST && targetIp == b.address);
    if (!conflict) {
      return;
    }
    b.conflict = true;
    cancel(b);
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.ClientConflict(nic.name(), Ipv4Address.format(b.address), MacAddress.format(senderMac),
          DECLINE_RESTART_SECONDS));
    }
    send(b, DhcpMessage.DECLINE, "probing", 0, b.address, b.server, true);
    forget(b);
    b.state = State.INIT;
    b.timer = stack.time().schedule(() -> init(b), TimeUnit.SECONDS.toNanos(DECLINE_RESTART_SECONDS));
  }

  private void bind(Binding b, boolean renewed) {
    cancel(b);
    b.state = State.BOUND;
    b.boundAtNanos = stack.time().nanos();
    Ipv4Cidr cidr = new Ipv4Cidr(b.address, b.prefix);
    if (!renewed || b.nic.address() == null || !b.nic.address().equals(cidr)) {
      stack.setAddress(b.nic, cidr);
      if (b.gateway != 0 && cidr.contains(b.gateway)) {
        stack.addRoute(new Ipv4Cidr(0, 0), b.gateway, defaultRouteMetric);
      }
    }
    listener.nameservers(b.nic, b.dns);
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.ClientBound(b.nic.name(), cidr.toString(), Ipv4Address.format(b.server),
          b.gateway == 0 ? null : Ipv4Address.format(b.gateway), b.dns.stream().map(Ipv4Address::format).toList(),
          b.leaseSeconds, b.t1Seconds, b.t2Seconds, renewed));
    }
    b.hint = 0;
    b.saved = new DhcpLeaseFile.ClientLease(b.nic.name(), b.address, b.prefix, b.server, b.serverMac, b.gateway,
        List.copyOf(b.dns), b.leaseSeconds, b.t1Seconds, b.t2Seconds,
        TimeUnit.NANOSECONDS.toSeconds(stack.time().epochNanos()));
    persist();
    b.timer = stack.time().schedule(() -> renew(b), TimeUnit.SECONDS.toNanos(b.t1Seconds));
    for (Consumer<Nic> l : boundListeners) {
      l.accept(b.nic);
    }
  }

  private void renew(Binding b) {
    b.state = State.RENEWING;
    b.xid = stack.random().nextInt();
    b.attempt = 1;
    renewAgain(b);
  }

  private void renewAgain(Binding b) {
    // RFC 2131 4.3.2: RENEWING is unicast to the server, ciaddr set, no server identifier
    send(b, DhcpMessage.REQUEST, "renewing", b.address, 0, 0, false);
    long untilT2 = b.boundAtNanos + TimeUnit.SECONDS.toNanos(b.t2Seconds) - stack.time().nanos();
    scheduleHalfway(b, untilT2, "REQUEST", () -> renewAgain(b), () -> rebind(b));
  }

  private void rebind(Binding b) {
    b.state = State.REBINDING;
    b.attempt = 1;
    rebindAgain(b);
  }

  private void rebindAgain(Binding b) {
    send(b, DhcpMessage.REQUEST, "rebinding", b.address, 0, 0, true);
    long untilExpiry = b.boundAtNanos + TimeUnit.SECONDS.toNanos(b.leaseSeconds) - stack.time().nanos();
    scheduleHalfway(b, untilExpiry, "REQUEST", () -> rebindAgain(b), () -> expire(b));
  }

  /** RFC 2131 4.4.5: retransmit after half the time left, at least 60 s; else {@code then} when the time is up. */
  private void scheduleHalfway(Binding b, long leftNanos, String message, Runnable again, Runnable then) {
    long half = leftNanos / 2;
    if (half >= TimeUnit.SECONDS.toNanos(60)) {
      b.timer = stack.time().schedule(() -> {
        b.attempt++;
        if (tracer.enabled()) {
          tracer.emit(new DhcpEvent.ClientRetry(b.nic.name(), message, "an ACK", b.attempt,
              TimeUnit.NANOSECONDS.toMillis(half)));
        }
        again.run();
      }, half);
    } else {
      b.timer = stack.time().schedule(then, Math.max(0, leftNanos));
    }
  }

  private void expire(Binding b) {
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.ClientExpired(b.nic.name(), Ipv4Address.format(b.address)));
    }
    unbind(b);
    init(b);
  }

  private void unbind(Binding b) {
    b.boundAtNanos = 0;
    stack.setAddress(b.nic, null);
    listener.nameservers(b.nic, List.of());
    forget(b);
  }

  /** The interface's lease is gone from the lease file too. */
  private void forget(Binding b) {
    if (b.saved != null) {
      b.saved = null;
      persist();
    }
  }

  /** Writes every interface's lease to the lease file, if there is one (a few lines: on the event loop). */
  private void persist() {
    if (leaseFile == null) {
      return;
    }
    List<String> lines = new ArrayList<>();
    for (Binding b : bindings.values()) {
      if (b.saved != null) {
        lines.add(b.saved.line());
      }
    }
    try {
      DhcpLeaseFile.write(leaseFile, lines);
    } catch (IOException e) {
      fileError("cannot write it: " + e.getMessage());
    }
  }

  private void fileError(String why) {
    System.err.println(stack.name() + ": DHCP lease file " + leaseFile + ": " + why);
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.LeaseFileError(leaseFile.toString(), why));
    }
  }

  private void cancel(Binding b) {
    if (b.timer != null) {
      b.timer.cancel();
      b.timer = null;
    }
  }

  // ---- input -------------------------------------------------------------------------------

  private void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
    Nic nic = stack.udp().ingress();
    Binding b = nic == null ? null : bindings.get(nic);
    if (b == null) {
      return;
    }
    in.wrap(payload, payload.readerIndex(), payload.readableBytes());
    if (in.check() != DhcpMessage.Check.OK) {
      counters.countDrop(DhcpClientCounters.Reason.MALFORMED);
      return;
    }
    if (in.op() != DhcpMessage.OP_REPLY) {
      counters.countDrop(DhcpClientCounters.Reason.NOT_A_REPLY);
      return;
    }
    if (in.xid() != b.xid || in.chaddr() != nic.mac()) {
      counters.countDrop(DhcpClientCounters.Reason.NOT_OURS); // another client's exchange
      return;
    }
    int type = in.messageType();
    int server = in.optionInt(DhcpMessage.OPT_SERVER_ID, srcIp);
    if (type == DhcpMessage.OFFER) {
      offer(b, server);
    } else if (type == DhcpMessage.ACK) {
      ack(b, server, stack.inputSrcMac());
    } else if (type == DhcpMessage.NAK) {
      nak(b, server);
    } else {
      counters.countDrop(DhcpClientCounters.Reason.OTHER_TYPE);
    }
  }

  private void offer(Binding b, int server) {
    int yiaddr = in.yiaddr();
    boolean take = b.state == State.SELECTING && yiaddr != 0;
    if (tracer.enabled()) {
      int gw = in.optionInt(DhcpMessage.OPT_ROUTER, 0);
      tracer.emit(new DhcpEvent.ClientOffer(b.nic.name(), Ipv4Address.format(server), Ipv4Address.format(yiaddr),
          in.optionInt(DhcpMessage.OPT_LEASE_TIME, 0) & 0xFFFF_FFFFL, gw == 0 ? null : Ipv4Address.format(gw),
          addresses(DhcpMessage.OPT_DNS).stream().map(Ipv4Address::format).toList(), take,
          take || b.address == 0 ? null : Ipv4Address.format(b.address)));
    }
    if (!take) {
      counters.countDrop(DhcpClientCounters.Reason.OFFER_NOT_TAKEN);
      return; // RFC 2131 4.4.1: the client takes one offer; later ones are left
    }
    cancel(b);
    b.server = server;
    b.address = yiaddr;
    b.state = State.REQUESTING;
    b.attempt = 0;
    request(b);
  }

  private void ack(Binding b, int server, long serverMac) {
    if (b.state != State.REQUESTING && b.state != State.REBOOTING && b.state != State.RENEWING
        && b.state != State.REBINDING) {
      counters.countDrop(DhcpClientCounters.Reason.UNEXPECTED);
      return;
    }
    long lease = in.optionInt(DhcpMessage.OPT_LEASE_TIME, 0) & 0xFFFF_FFFFL;
    int mask = in.optionInt(DhcpMessage.OPT_SUBNET_MASK, 0xFFFF_FF00); // RFC 2131 leaves it optional
    int prefix = Integer.bitCount(mask);
    int yiaddr = in.yiaddr();
    if (lease == 0) {
      counters.countDrop(DhcpClientCounters.Reason.NO_LEASE_TIME);
      return;
    }
    if (!usable(yiaddr, prefix)) {
      counters.countDrop(DhcpClientCounters.Reason.UNUSABLE_ADDRESS);
      return;
    }
    if (mask != Ipv4Address.mask(prefix)) {
      counters.countDrop(DhcpClientCounters.Reason.BAD_MASK);
      return;
    }
    boolean renewal = b.state == State.RENEWING || b.state == State.REBINDING;
    b.server = server;
    b.serverMac = serverMac;
    b.address = yiaddr;
    b.prefix = prefix;
    b.gateway = in.optionInt(DhcpMessage.OPT_ROUTER, 0);
    b.dns = addresses(DhcpMessage.OPT_DNS);
    lease = Math.max(lease, MIN_LEASE_SECONDS);
    b.leaseSeconds = lease;
    b.t1Seconds = in.optionInt(DhcpMessage.OPT_RENEWAL_TIME, (int) (lease / 2)) & 0xFFFF_FFFFL;
    b.t2Seconds = in.optionInt(DhcpMessage.OPT_REBINDING_TIME, (int) (lease * 7 / 8)) & 0xFFFF_FFFFL;
    if (b.t1Seconds < 1 || b.t1Seconds >= b.t2Seconds || b.t2Seconds >= lease) {
      // RFC 2131 4.4.5's defaults unless 1 s <= T1 < T2 < lease
      b.t1Seconds = lease / 2;
      b.t2Seconds = lease * 7 / 8;
    }
    if (renewal) {
      bind(b, true);
    } else {
      probe(b);
    }
  }

  /** An address a host can take on a subnet of {@code prefix}: unicast, not the subnet's network or broadcast. */
  private static boolean usable(int ip, int prefix) {
    if (ip == 0 || ip == Ipv4Address.BROADCAST || Ipv4Address.isMulticast(ip) || Ipv4Address.isLoopback(ip)
        || prefix < 8 || prefix > 30) {
      return false;
    }
    Ipv4Cidr net = new Ipv4Cidr(ip, prefix);
    return ip != net.networkCidr().address() && ip != net.broadcast();
  }

  private void nak(Binding b, int server) {
    if (b.state != State.REQUESTING && b.state != State.REBOOTING && b.state != State.RENEWING
        && b.state != State.REBINDING) {
      counters.countDrop(DhcpClientCounters.Reason.UNEXPECTED);
      return;
    }
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.ClientNak(b.nic.name(), Ipv4Address.format(server),
          in.optionText(DhcpMessage.OPT_MESSAGE)));
    }
    if (b.boundAtNanos != 0) {
      unbind(b);
    }
    forget(b); // INIT-REBOOT's remembered lease: the server says it is not ours
    init(b);
  }

  private List<Integer> addresses(int code) {
    int at = in.optionIndex(code);
    List<Integer> out = new ArrayList<>();
    for (int k = 0; at >= 0 && k + 4 <= in.optionLength(code); k += 4) {
      out.add(in.buffer().getInt(at + k));
    }
    return out;
  }

  // ---- output ------------------------------------------------------------------------------

  /**
   * Sends {@code type} from {@code ciaddr} (0: from 0.0.0.0) asking for {@code requested} from
   * {@code server} (0: none named); broadcast as a frame, or unicast to the server through the stack.
   */
  private void send(Binding b, int type, String why, int ciaddr, int requested, int server, boolean broadcast) {
    ByteBuf frame = frames.start();
    writer.begin(frame, DhcpMessage.OP_REQUEST, b.xid, secs(b), broadcast && ciaddr == 0 ? DhcpMessage.FLAG_BROADCAST
        : 0, ciaddr, 0, 0, 0, b.nic.mac()).optionByte(DhcpMessage.OPT_MESSAGE_TYPE, type);
    if (requested != 0 && ciaddr == 0) {
      writer.optionInt(DhcpMessage.OPT_REQUESTED_IP, requested);
    }
    if (server != 0) {
      writer.optionInt(DhcpMessage.OPT_SERVER_ID, server);
    }
    byte[] id = new byte[7];
    id[0] = 1; // hardware type Ethernet, then the MAC (RFC 2132 9.14)
    for (int k = 0; k < 6; k++) {
      id[1 + k] = (byte) (b.nic.mac() >>> (40 - 8 * k));
    }
    writer.optionBytes(DhcpMessage.OPT_CLIENT_ID, id);
    if (type == DhcpMessage.DISCOVER || type == DhcpMessage.REQUEST) {
      writer.optionBytes(DhcpMessage.OPT_PARAMETER_LIST, PARAMETERS);
      if (hostname != null) {
        writer.optionText(DhcpMessage.OPT_HOSTNAME, hostname);
      }
    }
    int len = writer.finish();
    int dst = broadcast ? Ipv4Address.BROADCAST : server != 0 ? server : b.server;
    if (tracer.enabled()) {
      int asked = requested != 0 ? requested : ciaddr;
      tracer.emit(new DhcpEvent.ClientSent(b.nic.name(), DhcpMessage.typeName(type), why, b.xid & 0xFFFF_FFFFL,
          Ipv4Address.format(ciaddr), Ipv4Address.format(dst), asked == 0 ? null : Ipv4Address.format(asked),
          server == 0 ? null : Ipv4Address.format(server), Math.max(1, b.attempt)));
    }
    if (broadcast) {
      frames.send(b.nic, frame, len, ciaddr, DhcpMessage.CLIENT_PORT, Ipv4Address.BROADCAST, DhcpMessage.SERVER_PORT,
          MacAddress.BROADCAST_BITS);
    } else if (type == DhcpMessage.RELEASE && b.serverMac != 0) {
      // at stop: straight to the server's MAC, nothing left waiting for ARP when the links close
      frames.send(b.nic, frame, len, ciaddr, DhcpMessage.CLIENT_PORT, dst, DhcpMessage.SERVER_PORT, b.serverMac);
    } else {
      // unicast from the leased address: routing and ARP as for any datagram
      frame.readerIndex(DhcpFrames.HEADERS);
      stack.udp().send(ciaddr, DhcpMessage.CLIENT_PORT, dst, DhcpMessage.SERVER_PORT, 64, frame);
    }
  }

  private int secs(Binding b) {
    return (int) Math.min(0xFFFF, TimeUnit.NANOSECONDS.toSeconds(stack.time().nanos() - b.startedNanos));
  }
}
