package emu.node.ipv6;

import emu.node.stack.DropReason;
import emu.node.stack.NeighborState;
import emu.node.stack.Nic;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * What the IPv6 layer reports as it works, for tracing: addresses, prefixes, hop limits, routes
 * and the buffers it acts on, never text. Callers ask {@link #enabled()} first, so a node that
 * does not trace computes nothing for it; implementations must not keep or release buffers.
 */
public interface Ipv6Observer extends Udp6Observer {
  @Override
  boolean enabled();

  /** The IPv6 packet at {@code ipStart} of {@code frame} arrived on {@code nic}; {@code forMe}: addressed to this node. */
  void received(Nic nic, ByteBuf frame, int ipStart, boolean forMe);

  /** This node built the IPv6 packet at {@code ipStart} of {@code packet}. */
  void encapsulated(ByteBuf packet, int ipStart);

  /** A frame carrying the IPv6 packet at {@code ipStart} was built on {@code nic}, to {@code dstMac}. */
  void frameSent(Nic nic, long dstMac, ByteBuf frame, int ipStart);

  /** A packet this node originates for {@code dst} will leave by {@code route} to {@code nextHop}, from {@code source}. */
  void routeChosen(Ipv6Address dst, Ipv6Route route, Ipv6Address nextHop, Ipv6InterfaceAddress source);

  /** No route matches {@code dst}. */
  void noRoute(Ipv6Address dst);

  /** A router forwarded a packet for {@code dst}, its hop limit decremented. */
  void forwarded(Nic in, Nic out, Ipv6Address dst, Ipv6Route route, Ipv6Address nextHop, int hopLimitBefore,
                 int hopLimitAfter);

  /** Something was dropped ({@code nic} null: not on an interface; {@code dst} null: unknown). */
  void dropped(Nic nic, DropReason reason, Ipv6Address dst);

  /** A neighbour solicitation for {@code target} sent from {@code src} (unspecified: duplicate address detection) to {@code dst}. */
  void solicitationSent(Nic nic, Ipv6Address target, Ipv6Address src, Ipv6Address dst);

  /** A neighbour solicitation for {@code target} from {@code src} (link-layer address {@code srcMac}, -1 absent) arrived. */
  void solicitationHeard(Nic nic, Ipv6Address src, Ipv6Address target, long srcMac, boolean forUs);

  /** A neighbour advertisement for {@code target} sent to {@code dst}, with the {@code Ndp.NA_*} flags. */
  void advertisementSent(Nic nic, Ipv6Address target, Ipv6Address dst, int flags);

  /** A neighbour advertisement for {@code target} from {@code src} arrived. */
  void advertisementHeard(Nic nic, Ipv6Address src, Ipv6Address target, int flags, long targetMac);

  /** A router solicitation sent from {@code src}. */
  void routerSolicitationSent(Nic nic, Ipv6Address src);

  /** A router solicitation from {@code src} arrived at this router. */
  void routerSolicitationHeard(Nic nic, Ipv6Address src);

  /** A router advertisement sent to {@code dst}: default-router lifetime in seconds, MTU (0: none), prefixes. */
  void routerAdvertisementSent(Nic nic, Ipv6Address dst, int routerLifetime, long mtu, List<Ipv6Cidr> prefixes);

  /** A router advertisement from {@code router} arrived. */
  void routerAdvertisementHeard(Nic nic, Ipv6Address router, int routerLifetime, long mtu, List<Ipv6Cidr> prefixes);

  /** A neighbour entry changed state ({@code from} null: new; {@code mac} -1: unknown). */
  void neighborChanged(Nic nic, Ipv6Address ip, NeighborState from, NeighborState to, long mac);

  /** An address of {@code nic} was added or changed state. */
  void addressChanged(Nic nic, Ipv6InterfaceAddress address);

  /** An echo request from {@code to} answered. */
  void echoAnswered(Ipv6Address to, int ident, int seq);

  /** An ICMPv6 error ({@code type}/{@code code}) sent to {@code to} about the packet at {@code ipStart} of {@code original}. */
  void errorSent(int type, int code, Ipv6Address to, ByteBuf original, int ipStart);

  /** This node sent a packet for {@code dst} of {@code length} bytes in {@code fragments} fragments of at most {@code mtu}. */
  void fragmented(Ipv6Address dst, long identification, int length, int mtu, int fragments);

  /** A packet from {@code src} to {@code dst} was reassembled from {@code fragments} fragments ({@code length} bytes). */
  void reassembled(Ipv6Address src, Ipv6Address dst, long identification, int fragments, int length);

  /**
   * Reassembly of a packet from {@code src} was given up for {@code reason} after {@code fragments}
   * fragments; {@code firstArrived}: its offset-0 fragment among them; {@code timeExceededSent}:
   * the source was told.
   */
  void reassemblyFailed(Ipv6Address src, Ipv6Address dst, long identification, DropReason reason, int fragments,
                        boolean firstArrived, boolean timeExceededSent);

  /** A packet too big from {@code reportedBy} lowered the path MTU to {@code dst} to {@code mtu}. */
  void pathMtuLowered(Ipv6Address dst, int mtu, Ipv6Address reportedBy);

  /** Reports nothing. */
  Ipv6Observer OFF = new Off();

  /** The observer that reports nothing. */
  final class Off implements Ipv6Observer {
    private Off() {}

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void received(Nic nic, ByteBuf frame, int ipStart, boolean forMe) {}

    @Override
    public void encapsulated(ByteBuf packet, int ipStart) {}

    @Override
    public void frameSent(Nic nic, long dstMac, ByteBuf frame, int ipStart) {}

    @Override
    public void routeChosen(Ipv6Address dst, Ipv6Route route, Ipv6Address nextHop, Ipv6InterfaceAddress source) {}

    @Override
    public void noRoute(Ipv6Address dst) {}

    @Override
    public void forwarded(Nic in, Nic out, Ipv6Address dst, Ipv6Route route, Ipv6Address nextHop, int hopLimitBefore,
                          int hopLimitAfter) {}

    @Override
    public void dropped(Nic nic, DropReason reason, Ipv6Address dst) {}

    @Override
    public void solicitationSent(Nic nic, Ipv6Address target, Ipv6Address src, Ipv6Address dst) {}

    @Override
    public void solicitationHeard(Nic nic, Ipv6Address src, Ipv6Address target, long srcMac, boolean forUs) {}

    @Override
    public void advertisementSent(Nic nic, Ipv6Address target, Ipv6Address dst, int flags) {}

    @Override
    public void advertisementHeard(Nic nic, Ipv6Address src, Ipv6Address target, int flags, long targetMac) {}

    @Override
    public void routerSolicitationSent(Nic nic, Ipv6Address src) {}

    @Override
    public void routerSolicitationHeard(Nic nic, Ipv6Address src) {}

    @Override
    public void routerAdvertisementSent(Nic nic, Ipv6Address dst, int routerLifetime, long mtu,
                                        List<Ipv6Cidr> prefixes) {}

    @Override
    public void routerAdvertisementHeard(Nic nic, Ipv6Address router, int routerLifetime, long mtu,
                                         List<Ipv6Cidr> prefixes) {}

    @Override
    public void neighborChanged(Nic nic, Ipv6Address ip, NeighborState from, NeighborState to, long mac) {}

    @Override
    public void addressChanged(Nic nic, Ipv6InterfaceAddress address) {}

    @Override
    public void echoAnswered(Ipv6Address to, int ident, int seq) {}

    @Override
    public void errorSent(int type, int code, Ipv6Address to, ByteBuf original, int ipStart) {}

    @Override
    public void udpDelivered(Ipv6Address src, int srcPort, int dstPort, int bytes) {}

    @Override
    public void fragmented(Ipv6Address dst, long identification, int length, int mtu, int fragments) {}

    @Override
    public void reassembled(Ipv6Address src, Ipv6Address dst, long identification, int fragments, int length) {}

    @Override
    public void reassemblyFailed(Ipv6Address src, Ipv6Address dst, long identification, DropReason reason,
                                 int fragments, boolean firstArrived, boolean timeExceededSent) {}

    @Override
    public void pathMtuLowered(Ipv6Address dst, int mtu, Ipv6Address reportedBy) {}
  }
}
