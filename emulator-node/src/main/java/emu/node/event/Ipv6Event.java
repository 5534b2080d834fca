package emu.node.event;

import emu.node.stack.DropReason;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * What is particular to IPv6 (RFC 8200, 4443, 4861, 4862): forwarding with a hop limit,
 * ICMPv6, neighbour and router discovery, addresses checked and configured. Frames, packets
 * received and built, routing decisions and drops are the family-neutral {@link IpEvent}s, whose
 * {@link Packet} says its version; a neighbour's state is {@link ArpEvent.NeighborChanged}.
 */
public sealed interface Ipv6Event extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.ipv6(this);
  }

  interface Visitor<R> {
    R forwarded(Forwarded e);

    R echoAnswered(EchoAnswered e);

    R errorSent(ErrorSent e);

    R solicitationSent(SolicitationSent e);

    R solicitationHeard(SolicitationHeard e);

    R advertisementSent(AdvertisementSent e);

    R advertisementHeard(AdvertisementHeard e);

    R routerSolicitationSent(RouterSolicitationSent e);

    R routerSolicitationHeard(RouterSolicitationHeard e);

    R routerAdvertisementSent(RouterAdvertisementSent e);

    R routerAdvertisementHeard(RouterAdvertisementHeard e);

    R address(AddressChanged e);

    R fragmented(Fragmented e);

    R reassembled(Reassembled e);

    R reassemblyFailed(ReassemblyFailed e);

    R pathMtu(PathMtuLowered e);
  }

  /** How an interface got an address. */
  enum Origin { LINK_LOCAL, STATIC, SLAAC }

  /** Where an address is in its life (RFC 4862). */
  enum AddressState { TENTATIVE, PREFERRED, DEPRECATED, DUPLICATE }

  /** A router forwarded a packet for {@code dst}: in, out, the route, the next hop, the hop limit before and after. */
  @JsonTypeName("ip6.forward")
  record Forwarded(String in, String out, String dst, RouteInfo route, String nextHop, int hopLimitBefore,
                   int hopLimitAfter) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.forwarded(this);
    }
  }

  /** An echo request from {@code to} answered. */
  @JsonTypeName("icmp6.echo")
  record EchoAnswered(String to, int ident, int sequence) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.echoAnswered(this);
    }
  }

  /** An ICMPv6 error ({@code icmpType}/{@code icmpCode}) to {@code to}, about the packet {@code about}. */
  @JsonTypeName("icmp6.error")
  record ErrorSent(int icmpType, int icmpCode, String to, Packet about) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.errorSent(this);
    }
  }

  /**
   * A neighbour solicitation for {@code target} from {@code src} to {@code dst} (the target's
   * solicited-node group, or the target itself when re-checking); {@code src} unspecified
   * ({@code ::}): duplicate address detection.
   */
  @JsonTypeName("ndp.ns")
  record SolicitationSent(String dev, String target, String src, String dst) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.solicitationSent(this);
    }
  }

  /** A neighbour solicitation for {@code target} from {@code src} ({@code srcMac} null: no option) arrived. */
  @JsonTypeName("ndp.ns_rx")
  record SolicitationHeard(String dev, String src, String target, String srcMac, boolean forMe) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.solicitationHeard(this);
    }
  }

  /** A neighbour advertisement for {@code target} sent to {@code dst}, with its R, S and O flags. */
  @JsonTypeName("ndp.na")
  record AdvertisementSent(String dev, String target, String dst, String mac, boolean router, boolean solicited,
                           boolean override) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.advertisementSent(this);
    }
  }

  /** A neighbour advertisement for {@code target} from {@code src} arrived. */
  @JsonTypeName("ndp.na_rx")
  record AdvertisementHeard(String dev, String src, String target, String targetMac, boolean router,
                            boolean solicited, boolean override) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.advertisementHeard(this);
    }
  }

  /** A router solicitation sent from {@code src} ({@code ::} before the link-local address is checked). */
  @JsonTypeName("ndp.rs")
  record RouterSolicitationSent(String dev, String src) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.routerSolicitationSent(this);
    }
  }

  /** A router heard a solicitation from {@code src}. */
  @JsonTypeName("ndp.rs_rx")
  record RouterSolicitationHeard(String dev, String src) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.routerSolicitationHeard(this);
    }
  }

  /** A router advertisement sent to {@code dst}: default-router lifetime (s), MTU (0: none), prefixes. */
  @JsonTypeName("ndp.ra")
  record RouterAdvertisementSent(String dev, String dst, int routerLifetime, long mtu, List<String> prefixes)
      implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.routerAdvertisementSent(this);
    }
  }

  /** A router advertisement from {@code router} arrived (MTU -1: none given). */
  @JsonTypeName("ndp.ra_rx")
  record RouterAdvertisementHeard(String dev, String router, int routerLifetime, long mtu, List<String> prefixes)
      implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.routerAdvertisementHeard(this);
    }
  }

  /** An address of {@code dev} was added or changed state. */
  @JsonTypeName("addr6")
  record AddressChanged(String dev, String address, Origin origin, AddressState state) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.address(this);
    }
  }

  /**
   * This node sent a packet for {@code dst} of {@code length} bytes, more than the path MTU
   * {@code mtu}, as {@code fragments} fragments with fragment header identification
   * {@code identification} (RFC 8200 4.5).
   */
  @JsonTypeName("ip6.fragment")
  record Fragmented(String dst, long identification, int length, int mtu, int fragments) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.fragmented(this);
    }
  }

  /** A packet from {@code src} to {@code dst} reassembled from {@code fragments} fragments: {@code length} bytes. */
  @JsonTypeName("ip6.reassembled")
  record Reassembled(String src, String dst, long identification, int fragments, int length) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.reassembled(this);
    }
  }

  /**
   * Reassembly of the packet from {@code src} to {@code dst} given up for {@code reason}
   * ({@code ipv6_reassembly_timeout}, {@code ipv6_fragment_overlap}, {@code ipv6_fragment_invalid})
   * after {@code fragments} fragments arrived; {@code firstArrived}: its offset-0 fragment was among
   * them; {@code timeExceededSent}: the source was sent ICMPv6 time exceeded (code 1).
   */
  @JsonTypeName("ip6.reassembly_failed")
  record ReassemblyFailed(String src, String dst, long identification, DropReason reason, int fragments,
                          boolean firstArrived, boolean timeExceededSent) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.reassemblyFailed(this);
    }
  }

  /** A packet too big from {@code reportedBy} lowered the path MTU to {@code dst} to {@code mtu} (RFC 8201). */
  @JsonTypeName("ip6.pmtu")
  record PathMtuLowered(String dst, int mtu, String reportedBy) implements Ipv6Event {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.pathMtu(this);
    }
  }
}
