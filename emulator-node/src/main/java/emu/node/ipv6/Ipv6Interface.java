package emu.node.ipv6;

import emu.link.time.TimeSource;
import emu.node.stack.NeighborCache;
import emu.node.stack.Nic;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * IPv6 on one interface: its addresses (a link-local one always; static ones from the
 * topology; autoconfigured ones from routers' prefixes when {@code autoconf}), its neighbour
 * cache (neighbour discovery's), the multicast groups it listens to (all-nodes, all-routers on a
 * router, and the solicited-node group of each address), and its link MTU for IPv6 (a router's
 * advertisement may lower it).
 */
public final class Ipv6Interface {
  private final Nic nic;
  private final NeighborCache neighbors;
  private final boolean autoconf;
  private final List<Ipv6InterfaceAddress> addresses = new ArrayList<>();
  /** The addresses' halves side by side, for the receive path's search (no object read per address). */
  private long[] addressBits = new long[0];
  private long mtu;
  /** Host: router solicitations sent since the link came up; routers: advertisements sent so far. */
  int solicitationsSent;
  int advertisementsSent;
  long lastAdvertisementAt = Long.MIN_VALUE;
  TimeSource.Timer routerTimer;
  /** A router's pending answer to solicitations (one, however many solicit meanwhile). */
  TimeSource.Timer solicitedAnswer;
  /** A host heard a router on this link since it came up (it stops soliciting). */
  boolean heardRouter;

  Ipv6Interface(Nic nic, NeighborCache neighbors, boolean autoconf) {
    this.nic = nic;
    this.neighbors = neighbors;
    this.autoconf = autoconf;
    this.mtu = nic.mtu();
  }

  public Nic nic() {
    return nic;
  }

  public NeighborCache neighbors() {
    return neighbors;
  }

  /** True if the interface takes addresses from routers' advertisements ({@code ipv6: auto}). */
  public boolean autoconf() {
    return autoconf;
  }

  public long mtu() {
    return mtu;
  }

  void mtu(long m) {
    this.mtu = Math.min(nic.mtu(), Math.max(m, emu.node.wire.Ipv6Packet.MIN_MTU));
  }

  public List<Ipv6InterfaceAddress> addresses() {
    return Collections.unmodifiableList(addresses);
  }

  Ipv6InterfaceAddress add(Ipv6Cidr cidr, Ipv6InterfaceAddress.Origin origin) {
    Ipv6InterfaceAddress a = new Ipv6InterfaceAddress(cidr, origin);
    addresses.add(a);
    indexAddresses();
    return a;
  }

  void remove(Ipv6InterfaceAddress a) {
    addresses.remove(a);
    indexAddresses();
  }

  private void indexAddresses() {
    long[] bits = new long[2 * addresses.size()];
    for (int i = 0; i < addresses.size(); i++) {
      bits[2 * i] = addresses.get(i).cidr().address().hi();
      bits[2 * i + 1] = addresses.get(i).cidr().address().lo();
    }
    addressBits = bits;
  }

  /** The address {@code a} on this interface (any state), or null. */
  public Ipv6InterfaceAddress find(Ipv6Address a) {
    for (Ipv6InterfaceAddress x : addresses) {
      if (x.cidr().address().equals(a)) {
        return x;
      }
    }
    return null;
  }

  /** The address {@code hi:lo} (any state), without allocating, or null. */
  Ipv6InterfaceAddress find(long hi, long lo) {
    long[] bits = addressBits;
    for (int i = 0; i < bits.length; i += 2) {
      if (bits[i + 1] == lo && bits[i] == hi) {
        return addresses.get(i >> 1);
      }
    }
    return null;
  }

  /** The usable link-local address, or null while it is tentative. */
  public Ipv6InterfaceAddress linkLocal() {
    for (Ipv6InterfaceAddress x : addresses) {
      if (x.origin() == Ipv6InterfaceAddress.Origin.LINK_LOCAL && x.usable()) {
        return x;
      }
    }
    return null;
  }

  /**
   * True if this interface listens to the multicast group {@code hi:lo}: all-nodes, all-routers
   * on a router, and the solicited-node group of any of its addresses (tentative ones included,
   * which duplicate address detection needs, RFC 4862 5.4.2).
   */
  boolean listensTo(long hi, long lo, boolean router) {
    if (hi == Ipv6Address.ALL_NODES.hi() && (lo == 1 || router && lo == 2)) {
      return true;
    }
    if (hi == 0xff02_0000_0000_0000L && (lo & 0xFFFF_FFFF_FF00_0000L) == 0x0000_0001_ff00_0000L) {
      for (int i = 0; i < addresses.size(); i++) {
        if ((addresses.get(i).cidr().address().lo() & 0xFF_FFFFL) == (lo & 0xFF_FFFFL)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return nic.name() + " " + addresses.stream().map(a -> a.cidr() + " " + a.state()).toList();
  }
}
