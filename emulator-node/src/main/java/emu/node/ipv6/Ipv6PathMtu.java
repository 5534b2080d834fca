package emu.node.ipv6;

import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Packet;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The node's path MTU per destination (RFC 8201), one cache for every protocol: learnt from
 * ICMPv6 "packet too big" about packets this node sent, never below the IPv6 minimum of 1280
 * (section 4), only ever lowered by a message (a report at or above the current estimate is
 * ignored), and forgotten 10 minutes after it was learnt (Linux's {@code mtu_expires}), when the
 * link MTU applies again and discovery starts over. UDP and ICMPv6 fragment to it; TCP sizes the
 * segments of a new connection by it and lowers the MSS of a live one on the same message.
 * Bounded: at most {@link #MAX_ENTRIES} destinations, the oldest forgotten first. Owned by the
 * node's event loop.
 */
public final class Ipv6PathMtu {
  /** How long a learnt path MTU holds (Linux's net.ipv6.route.mtu_expires, 600 s). */
  public static final long EXPIRES_NANOS = 600_000_000_000L;
  /** Destinations remembered at most. */
  public static final int MAX_ENTRIES = 4096;

  /** A learnt path MTU and when it is forgotten. */
  public record Entry(int mtu, long expiresAt) {}

  /** In the order learnt, so the first is the one that expires first. */
  private final LinkedHashMap<Ipv6Address, Entry> entries = new LinkedHashMap<>();

  /** The learnt path MTU to {@code dst} at {@code now}, or null (the link MTU applies). */
  public Entry lookup(Ipv6Address dst, long now) {
    Entry e = entries.get(dst);
    if (e != null && now >= e.expiresAt) {
      entries.remove(dst);
      return null;
    }
    return e;
  }

  /**
   * The MTU for a packet to {@code dst} leaving by an interface of MTU {@code linkMtu}: the
   * smaller of the two when a path MTU is known.
   */
  public int pathMtu(Ipv6Address dst, int linkMtu, long now) {
    Entry e = entries.isEmpty() ? null : lookup(dst, now);
    return e == null ? linkMtu : Math.min(linkMtu, e.mtu);
  }

  /**
   * A packet too big message reported {@code reported} for {@code dst}, where the estimate so
   * far is {@code current}; returns the new path MTU, or -1 if the estimate stays (a report not
   * below it).
   */
  int learn(Ipv6Address dst, long reported, int current, long now) {
    if (reported >= current) {
      return -1;
    }
    int mtu = (int) Math.max(Ipv6Packet.MIN_MTU, reported);
    if (mtu >= current) {
      return -1; // below 1280 reported where the estimate is already 1280
    }
    entries.remove(dst);
    if (entries.size() >= MAX_ENTRIES) {
      Iterator<Entry> oldest = entries.values().iterator();
      oldest.next();
      oldest.remove();
    }
    entries.put(dst, new Entry(mtu, now + EXPIRES_NANOS));
    return mtu;
  }

  /** Destinations with a path MTU (expired ones included until looked up). */
  public int size() {
    return entries.size();
  }
}
