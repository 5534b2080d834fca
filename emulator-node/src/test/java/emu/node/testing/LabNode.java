package emu.node.testing;

import emu.link.wire.MacAddress;
import emu.node.event.TraceEvent;
import emu.node.ipv6.Ipv6Layer;
import emu.node.stack.DropReason;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.StackCounters;
import emu.node.tcp.TcpLayer;
import emu.node.trace.Ipv6Trace;
import emu.node.trace.MemoryTracer;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv6Cidr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A host or router in a {@link VirtualLab}: its {@link NetworkStack}, its own
 * {@link MemoryTracer}, and a recorder on every interface.
 */
public final class LabNode {
  private final String name;
  private final NetworkStack stack;
  private final TcpLayer tcp;
  private final MemoryTracer tracer;
  private final ByteBufAllocator alloc;
  private Ipv6Layer ipv6;
  private final Map<String, RecordingEndpoint> recorders = new LinkedHashMap<>();

  LabNode(String name, NetworkStack stack, TcpLayer tcp, MemoryTracer tracer, ByteBufAllocator alloc) {
    this.name = name;
    this.stack = stack;
    this.tcp = tcp;
    this.tracer = tracer;
    this.alloc = alloc;
  }

  Nic addNic(String nicName, String mac, String cidr, RecordingEndpoint endpoint) {
    recorders.put(nicName, endpoint);
    return stack.addNic(nicName, MacAddress.parse(mac).bits(), cidr == null ? null : Ipv4Cidr.parse(cidr), endpoint);
  }

  public String name() {
    return name;
  }

  public NetworkStack stack() {
    return stack;
  }

  /** IPv6 on this node (made on first use, tracing into the node's tracer), started by {@link VirtualLab#start()}. */
  public Ipv6Layer ipv6() {
    if (ipv6 == null) {
      ipv6 = new Ipv6Layer(stack, new Ipv6Trace(tracer));
      tcp.attach(ipv6); // as EmulatedNode does
    }
    return ipv6;
  }

  /** The node's IPv6, or null if no test has given it any. */
  public Ipv6Layer ipv6IfAny() {
    return ipv6;
  }

  /** IPv6 on {@code nicName} with its link-local address, these static addresses, and SLAAC if {@code autoconf}. */
  public LabNode ipv6(String nicName, boolean autoconf, String... statics) {
    ipv6().enable(nic(nicName), java.util.Arrays.stream(statics).map(Ipv6Cidr::parse).toList(), autoconf);
    return this;
  }

  void flushIpv6Neighbors() {
    if (ipv6 != null) {
      ipv6.interfaces().forEach(i -> i.neighbors().flush());
      ipv6.flushReassembly();
    }
  }

  /** Starts IPv6, if the node has it (duplicate address detection, router discovery). */
  void startIpv6() {
    if (ipv6 != null) {
      ipv6.start();
    }
  }

  /** The node's TCP, registered with its stack. */
  public TcpLayer tcp() {
    return tcp;
  }

  public MemoryTracer tracer() {
    return tracer;
  }

  /** Trace events of one record type, e.g. {@code ArpEvent.RequestSent.class}. */
  public <T extends TraceEvent> List<T> events(Class<T> type) {
    return tracer.of(type);
  }


  public Nic nic(String nicName) {
    Nic nic = stack.nic(nicName);
    if (nic == null) {
      throw new IllegalArgumentException(name + " has no interface " + nicName);
    }
    return nic;
  }

  /** The MAC of an interface as bits. */
  public long mac(String nicName) {
    return nic(nicName).mac();
  }

  /** The first interface's address, dotted. */
  public String ip() {
    for (Nic nic : stack.nics()) {
      if (nic.address() != null) {
        return Ipv4Address.format(nic.ip());
      }
    }
    throw new IllegalStateException(name + " has no address");
  }

  /** Adds a default route through {@code gateway}. */
  public LabNode defaultRoute(String gateway) {
    stack.addRoute(new Ipv4Cidr(0, 0), Ipv4Address.parse(gateway), 0);
    return this;
  }

  public LabNode route(String prefix, String gateway, int metric) {
    stack.addRoute(Ipv4Cidr.parse(prefix), Ipv4Address.parse(gateway), metric);
    return this;
  }

  /** Frames this node sent and received on an interface. */
  public List<CapturedFrame> frames(String nicName) {
    return recorder(nicName).frames();
  }

  /** Frames this node sent on an interface. */
  public List<CapturedFrame> sent(String nicName) {
    return recorder(nicName).sent();
  }

  /** Frames this node received on an interface. */
  public List<CapturedFrame> received(String nicName) {
    return recorder(nicName).received();
  }

  /** Forgets recorded frames and trace events (to look at one step of a test on its own). */
  public void clearRecords() {
    recorders.values().forEach(RecordingEndpoint::clear);
    tracer.clear();
  }

  private RecordingEndpoint recorder(String nicName) {
    RecordingEndpoint r = recorders.get(nicName);
    if (r == null) {
      throw new IllegalArgumentException(name + " has no interface " + nicName);
    }
    return r;
  }

  /**
   * Hands raw bytes to the stack as if they had just arrived on {@code nicName}
   * ({@code stack.input(nic, frame)}), synchronously.
   */
  public void inject(String nicName, byte[] frame) {
    ByteBuf buf = alloc.buffer(frame.length);
    buf.writeBytes(frame);
    stack.input(nic(nicName), buf);
  }

  public StackCounters counters() {
    return stack.counters();
  }

  public long drops(DropReason reason) {
    return stack.counters().drops(reason);
  }

  /** Every drop counter, for before/after comparisons. */
  public long[] dropSnapshot() {
    long[] s = new long[DropReason.values().length];
    for (DropReason r : DropReason.values()) {
      s[r.ordinal()] = drops(r);
    }
    return s;
  }

  /** The drop counters that changed since {@code before}, with their increments. */
  public Map<DropReason, Long> dropsSince(long[] before) {
    Map<DropReason, Long> changed = new LinkedHashMap<>();
    for (DropReason r : DropReason.values()) {
      long d = drops(r) - before[r.ordinal()];
      if (d != 0) {
        changed.put(r, d);
      }
    }
    return changed;
  }

  /** The neighbour entry for {@code ip} on {@code nicName}, or null. */
  public NeighborCache.Entry neighbor(String nicName, String ip) {
    return nic(nicName).neighbors().lookup(Ipv4Address.parse(ip));
  }

  @Override
  public String toString() {
    return name;
  }
}
