package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import emu.node.stack.DropReason;

/**
 * IPv4 and Ethernet as a host or router does them: frames sent and received, packets built,
 * routing decisions, forwarding, drops. Addresses are dotted quads, MACs colon-separated hex.
 */
public sealed interface IpEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.ip(this);
  }

  interface Visitor<R> {
    R frameSent(FrameSent e);

    R received(Received e);

    R encapsulated(Encapsulated e);

    R routeDecision(RouteDecision e);

    R forwarded(Forwarded e);

    R dropped(Dropped e);
  }

  /**
   * An IPv4 packet framed and handed to the link: Ethernet {@code srcMac > dstMac} on {@code dev},
   * {@code bytes} long. The packet's source, destination and identification are the ones the
   * receiver's {@link Received} repeats: the control plane pairs the two to order events across
   * machines whose clocks differ. {@code vlan}: the 802.1Q VLAN whose tag the frame was given on
   * its way out of a VLAN subinterface ({@code dev} eth0.10 leaves by eth0 tagged 10; {@code bytes}
   * counts the tag), null for an untagged frame.
   */
  @JsonTypeName("eth.tx")
  record FrameSent(String dev, String srcMac, String dstMac, int bytes, Packet packet, Integer vlan)
      implements IpEvent {
    /** An untagged frame. */
    public FrameSent(String dev, String srcMac, String dstMac, int bytes, Packet packet) {
      this(dev, srcMac, dstMac, bytes, packet, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.frameSent(this);
    }
  }

  /**
   * An IPv4 packet arrived on {@code dev} in a frame from {@code srcMac} to {@code dstMac}
   * ({@code toOwnMac}: the interface's own MAC); {@code forMe}: its destination is this node.
   * {@code vlan}: the 802.1Q VLAN whose tag was removed as the frame reached VLAN subinterface
   * {@code dev}, null for a frame that came untagged.
   */
  @JsonTypeName("ip.rx")
  record Received(String dev, String srcMac, String dstMac, boolean toOwnMac, boolean forMe, Packet packet,
                  Integer vlan) implements IpEvent {
    /** An untagged frame. */
    public Received(String dev, String srcMac, String dstMac, boolean toOwnMac, boolean forMe, Packet packet) {
      this(dev, srcMac, dstMac, toOwnMac, forMe, packet, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.received(this);
    }
  }

  /** This node put a transport payload inside an IPv4 header it built. */
  @JsonTypeName("ip.encap")
  record Encapsulated(Packet packet) implements IpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.encapsulated(this);
    }
  }

  /**
   * How this node decided where to send a packet it originates for {@code dst}: the route that
   * matched (null: none matched), the next hop it will ARP for, whether that is the destination
   * itself ({@code direct}), and the address and prefix of the interface it leaves by
   * ({@code ownAddress}, e.g. {@code 192.168.1.100/24}), which the destination is compared with.
   * Told once per destination, and again when the decision changes.
   */
  @JsonTypeName("route.decision")
  record RouteDecision(String dst, RouteInfo route, String nextHop, boolean direct, String dev, String ownAddress)
      implements IpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.routeDecision(this);
    }
  }

  /**
   * A router forwarded a packet: in on {@code in}, out on {@code out} to {@code nextHop} (a next
   * router if the route has a gateway, else the destination itself), the TTL and header checksum
   * before and after (the checksum updated incrementally, RFC 1624).
   */
  @JsonTypeName("ip.forward")
  record Forwarded(String in, String out, String dst, RouteInfo route, String nextHop, int ttlBefore, int ttlAfter,
                   int checksumBefore, int checksumAfter) implements IpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.forwarded(this);
    }
  }

  /**
   * The node dropped something, for {@code reason} ({@code dev}: where, when on an interface;
   * {@code dst}: the packet's destination, when known).
   */
  @JsonTypeName("drop")
  record Dropped(DropReason reason, String dev, String dst) implements IpEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.dropped(this);
    }
  }
}
