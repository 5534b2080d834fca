package emu.node.dhcp;

import emu.link.wire.MacAddress;
import emu.node.event.DhcpEvent;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.Route;
import emu.node.stack.SendResult;
import emu.node.trace.Tracer;
import emu.node.wire.DhcpMessage;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DHCP relay agent (RFC 2131 section 4, RFC 1542 4.1; option 82 of RFC 3046) on the router
 * interfaces given one, behaving as ISC dhcrelay does on Linux.
 *
 * <p>A client's BOOTREQUEST heard on a relay interface (broadcast to 255.255.255.255:67) gets
 * giaddr set to that interface's address if it is 0 (a nonzero giaddr, an earlier relay's, is
 * left alone), hops one more (a request whose hops already exceed {@link #MAX_HOPS} is dropped,
 * RFC 1542 4.1.1), optionally option 82 with the interface's name as circuit-id, and goes to each
 * server's port 67 from this router's port 67, routed like any UDP datagram (from the outgoing
 * interface's address, as the kernel chooses for dhcrelay's socket). A BOOTREPLY to port 67 whose
 * giaddr is a relay interface's address goes to the client on that interface (RFC 2131 4.1, RFC
 * 1542 4.1.2): with option 82 taken out if this relay added it (a reply carrying another
 * circuit-id is dropped), broadcast if the BROADCAST flag is set or yiaddr is 0, else unicast to
 * yiaddr at chaddr's MAC without ARP (the client cannot answer for that address yet).
 *
 * <p>The node's DHCP server, if it serves other interfaces, gets through this relay, which owns
 * port 67, every BOOTREQUEST heard on an interface that does not relay. Everything else is
 * dropped and counted: malformed messages by the check that failed, and {@link
 * DhcpRelayCounters.Reason}s.
 */
public final class DhcpRelay {
  /** RFC 1542 4.1.1: a request whose hops exceed 16 is discarded. */
  public static final int MAX_HOPS = 16;
  /** The most servers one interface relays to (as many as a dhcrelay line usually names). */
  public static final int MAX_SERVERS = 4;

  private final NetworkStack stack;
  private final Tracer tracer;
  private final DhcpServer server;
  private final DhcpRelayCounters counters = new DhcpRelayCounters();
  private final Map<Nic, Agent> agents = new LinkedHashMap<>();
  private final DhcpMessage in = new DhcpMessage();
  private final DhcpFrames frames;
  private boolean bound;

  /** One relay interface: the servers it relays to, and its option 82 circuit-id (null: none added). */
  private record Agent(Nic nic, int[] servers, byte[] circuitId) {}

  /** A relay on {@code stack}; {@code server} (or null) is the node's own DHCP server. */
  public DhcpRelay(NetworkStack stack, Tracer tracer, DhcpServer server) {
    this.stack = stack;
    this.tracer = tracer;
    this.server = server;
    this.frames = new DhcpFrames(stack);
  }

  /**
   * Relays the requests heard on {@code nic} to {@code servers} (dotted quads), adding option 82
   * if {@code agentInfo}.
   *
   * @throws IllegalArgumentException if {@code nic} has no IPv4 address, or there are no servers
   *     or more than {@link #MAX_SERVERS}
   */
  public void relay(Nic nic, List<String> servers, boolean agentInfo) {
    if (nic.address() == null) {
      throw new IllegalArgumentException("DHCP relay on " + nic.name() + " needs an IPv4 address on it (its giaddr)");
    }
    if (servers.isEmpty() || servers.size() > MAX_SERVERS) {
      throw new IllegalArgumentException("DHCP relay on " + nic.name() + " needs 1 to " + MAX_SERVERS + " servers");
    }
    int[] to = servers.stream().mapToInt(Ipv4Address::parse).toArray();
    agents.put(nic, new Agent(nic, to, agentInfo ? nic.name().getBytes(StandardCharsets.US_ASCII) : null));
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.Relaying(nic.name(), Ipv4Address.format(nic.ip()), List.copyOf(servers), agentInfo));
    }
    if (!bound) {
      if (server != null) {
        server.deliveredByRelay();
      }
      if (stack.udp().bind(DhcpMessage.SERVER_PORT, this::onDatagram) < 0) {
        throw new IllegalStateException("UDP port 67 is taken on " + stack.name());
      }
      bound = true;
    }
  }

  public DhcpRelayCounters counters() {
    return counters;
  }

  private void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, ByteBuf payload) {
    Nic nic = stack.udp().ingress();
    Agent here = nic == null ? null : agents.get(nic);
    in.wrap(payload, payload.readerIndex(), payload.readableBytes());
    DhcpMessage.Check check = in.check();
    if (check != DhcpMessage.Check.OK) {
      if (here == null && server != null) {
        server.onDatagram(srcIp, srcPort, dstIp, dstPort, payload); // the server's to count
        return;
      }
      counters.countMalformed(check);
      if (tracer.enabled()) {
        tracer.emit(new DhcpEvent.RelayDropped(null, check.name().toLowerCase(Locale.ROOT), counters.malformed(check)));
      }
      return;
    }
    if (in.op() == DhcpMessage.OP_REPLY) {
      Agent to = agentFor(in.giaddr());
      if (to == null) {
        drop(DhcpRelayCounters.Reason.UNKNOWN_GIADDR);
      } else {
        toClient(to, srcIp);
      }
    } else if (here != null) {
      toServers(here);
    } else if (server != null) {
      server.onDatagram(srcIp, srcPort, dstIp, dstPort, payload);
    } else {
      drop(DhcpRelayCounters.Reason.NOT_RELAYED_HERE);
    }
  }

  private Agent agentFor(int giaddr) {
    if (giaddr == 0) {
      return null;
    }
    for (Agent a : agents.values()) {
      if (a.nic.address() != null && a.nic.ip() == giaddr) {
        return a;
      }
    }
    return null;
  }

  private void drop(DhcpRelayCounters.Reason why) {
    counters.countDrop(why);
    if (tracer.enabled()) {
      tracer.emit(new DhcpEvent.RelayDropped(MacAddress.format(in.chaddr()), why.name().toLowerCase(Locale.ROOT),
          counters.dropped(why)));
    }
  }

  /** RFC 1542 4.1.1 and RFC 3046 2.1: a client's request, up to every server. */
  private void toServers(Agent a) {
    if (in.hops() > MAX_HOPS) {
      drop(DhcpRelayCounters.Reason.TOO_MANY_HOPS);
      return;
    }
    boolean present = in.has(DhcpMessage.OPT_RELAY_AGENT);
    if (a.circuitId != null && present && in.giaddr() == 0) {
      drop(DhcpRelayCounters.Reason.AGENT_INFO_FROM_CLIENT);
      return;
    }
    boolean giaddrSet = in.giaddr() == 0;
    int giaddr = giaddrSet ? a.nic.ip() : in.giaddr();
    // an earlier relay's option 82 stays as it is, and is not added to (RFC 3046 2.1.1)
    byte[] circuit = present ? null : a.circuitId;
    int hops = in.hops() + 1;
    int head = in.endIndex() - in.start(); // the fixed header and the options, without the end
    for (int server : a.servers) {
      Route route = stack.routes().lookup(server);
      if (route == null || !route.nic().isUp() || route.nic().address() == null) {
        drop(DhcpRelayCounters.Reason.NO_ROUTE);
        continue;
      }
      int src = route.nic().ip();
      ByteBuf out = stack.allocate(Math.max(DhcpMessage.MIN_LEN, head + 1 + (circuit == null ? 0 : 4 + circuit.length)));
      int at = out.writerIndex();
      out.writeBytes(in.buffer(), in.start(), head);
      out.setByte(at + DhcpMessage.HOPS, hops);
      out.setInt(at + DhcpMessage.GIADDR, giaddr);
      if (circuit != null) {
        out.writeByte(DhcpMessage.OPT_RELAY_AGENT).writeByte(2 + circuit.length)
            .writeByte(DhcpMessage.AGENT_CIRCUIT_ID).writeByte(circuit.length).writeBytes(circuit);
      }
      out.writeByte(DhcpMessage.OPT_END);
      if (out.writerIndex() - at < DhcpMessage.MIN_LEN) {
        out.writeZero(DhcpMessage.MIN_LEN - (out.writerIndex() - at));
      }
      counters.requestsRelayed++;
      if (tracer.enabled()) {
        tracer.emit(new DhcpEvent.Relayed(a.nic.name(), DhcpMessage.typeName(in.messageType()),
            MacAddress.format(in.chaddr()), in.optionText(DhcpMessage.OPT_HOSTNAME), in.xid() & 0xFFFF_FFFFL,
            Ipv4Address.format(server), Ipv4Address.format(src), Ipv4Address.format(giaddr), giaddrSet, hops,
            circuit == null ? null : new String(circuit, StandardCharsets.US_ASCII)));
      }
      if (stack.udp().send(src, DhcpMessage.SERVER_PORT, server, DhcpMessage.SERVER_PORT, 64, out)
          != SendResult.SENT) {
        counters.requestsRelayed--;
        drop(DhcpRelayCounters.Reason.NO_ROUTE);
      }
    }
  }

  /** RFC 2131 4.1 and RFC 1542 4.1.2: a server's reply, down to the client on {@code a}'s link. */
  private void toClient(Agent a, int srcIp) {
    boolean strip = false;
    if (a.circuitId != null && in.has(DhcpMessage.OPT_RELAY_AGENT)) {
      if (!circuitIs(a.circuitId)) {
        drop(DhcpRelayCounters.Reason.AGENT_INFO_MISMATCH);
        return;
      }
      strip = true;
    }
    // a server that does not know option 82 answers without it (RFC 3046 2.2): still ours by giaddr
    ByteBuf frame = frames.start();
    int begin = frame.writerIndex();
    frame.writeBytes(in.buffer(), in.start(), DhcpMessage.OPTIONS);
    int i = in.start() + DhcpMessage.OPTIONS;
    int end = in.endIndex();
    ByteBuf b = in.buffer();
    while (i < end) {
      int code = b.getUnsignedByte(i);
      if (code == DhcpMessage.OPT_PAD) {
        i++;
        continue;
      }
      int l = b.getUnsignedByte(i + 1);
      if (!(strip && code == DhcpMessage.OPT_RELAY_AGENT)) {
        frame.writeBytes(b, i, 2 + l);
      }
      i += 2 + l;
    }
    frame.writeByte(DhcpMessage.OPT_END);
    if (frame.writerIndex() - begin < DhcpMessage.MIN_LEN) {
      frame.writeZero(DhcpMessage.MIN_LEN - (frame.writerIndex() - begin));
    }
    int len = frame.writerIndex() - begin;
    int yiaddr = in.yiaddr();
    boolean broadcast = in.broadcastFlag() || yiaddr == 0;
    int dstIp = broadcast ? Ipv4Address.BROADCAST : yiaddr;
    long dstMac = broadcast ? MacAddress.BROADCAST_BITS : in.chaddr();
    counters.repliesRelayed++;
    if (tracer.enabled()) {
      int serverId = in.optionInt(DhcpMessage.OPT_SERVER_ID, srcIp);
      tracer.emit(new DhcpEvent.RelayedReply(a.nic.name(), DhcpMessage.typeName(in.messageType()),
          MacAddress.format(in.chaddr()), Ipv4Address.format(serverId), yiaddr == 0 ? null : Ipv4Address.format(yiaddr),
          Ipv4Address.format(dstIp), broadcast, strip));
    }
    frames.send(a.nic, frame, len, a.nic.ip(), DhcpMessage.SERVER_PORT, dstIp, DhcpMessage.CLIENT_PORT, dstMac);
  }

  /** True if option 82's circuit-id (sub-option 1) is {@code id}. */
  private boolean circuitIs(byte[] id) {
    ByteBuf b = in.buffer();
    int i = in.optionIndex(DhcpMessage.OPT_RELAY_AGENT);
    int end = i + in.optionLength(DhcpMessage.OPT_RELAY_AGENT);
    while (i + 2 <= end) {
      int sub = b.getUnsignedByte(i);
      int l = b.getUnsignedByte(i + 1);
      if (i + 2 + l > end) {
        return false;
      }
      if (sub == DhcpMessage.AGENT_CIRCUIT_ID) {
        if (l != id.length) {
          return false;
        }
        for (int k = 0; k < l; k++) {
          if (b.getByte(i + 2 + k) != id[k]) {
            return false;
          }
        }
        return true;
      }
      i += 2 + l;
    }
    return false;
  }
}
