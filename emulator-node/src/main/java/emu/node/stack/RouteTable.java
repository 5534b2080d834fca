package emu.node.stack;

import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The IPv4 routing table with longest-prefix match. One primitive-keyed hash map per prefix
 * length that is in use; a lookup masks the destination and probes the lengths present,
 * longest first, so it allocates nothing and costs at most one probe per distinct length.
 * Among routes to the same prefix the lowest metric wins.
 */
public final class RouteTable {
  @SuppressWarnings("unchecked")
  private final IntObjectHashMap<Route>[] byLength = new IntObjectHashMap[33];
  private int[] lengthsLongestFirst = new int[0];
  private final List<Route> all = new ArrayList<>();

  /** Adds a route; an equal prefix with a lower metric stays preferred. */
  public void add(Route route) {
    all.add(route);
    rebuild(route.prefix().prefixLength());
  }

  /** Removes every route to exactly this prefix; returns how many went. */
  public int remove(Ipv4Cidr prefix) {
    Ipv4Cidr net = prefix.networkCidr();
    int before = all.size();
    all.removeIf(r -> r.prefix().networkCidr().equals(net));
    rebuild(prefix.prefixLength());
    return before - all.size();
  }

  /** Removes every route through {@code nic} (when it goes away). */
  public void removeAll(Nic nic) {
    all.removeIf(r -> r.nic() == nic);
    for (int len = 0; len <= 32; len++) {
      rebuild(len);
    }
  }

  private void rebuild(int length) {
    IntObjectHashMap<Route> map = new IntObjectHashMap<>();
    for (Route r : all) {
      if (r.prefix().prefixLength() != length) {
        continue;
      }
      int key = r.prefix().network();
      Route cur = map.get(key);
      if (cur == null || r.metric() < cur.metric()) {
        map.put(key, r);
      }
    }
    byLength[length] = map.isEmpty() ? null : map;
    int n = 0;
    for (int len = 32; len >= 0; len--) {
      if (byLength[len] != null) {
        n++;
      }
    }
    int[] lengths = new int[n];
    int i = 0;
    for (int len = 32; len >= 0; len--) {
      if (byLength[len] != null) {
        lengths[i++] = len;
      }
    }
    lengthsLongestFirst = lengths;
  }

  /** Longest-prefix match; null if nothing (not even a default route) matches. */
  public Route lookup(int dst) {
    int[] lengths = lengthsLongestFirst;
    for (int i = 0; i < lengths.length; i++) {
      int len = lengths[i];
      Route r = byLength[len].get(dst & Ipv4Address.mask(len));
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  /** All routes in the order {@code ip route} prints them: default first, then by prefix. */
  public List<Route> routes() {
    List<Route> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.<Route>comparingInt(r -> r.isDefault() ? 0 : 1)
        .thenComparing(r -> Integer.toUnsignedLong(r.prefix().network()))
        .thenComparingInt(r -> r.prefix().prefixLength())
        .thenComparingInt(Route::metric));
    return sorted;
  }

  public int size() {
    return all.size();
  }
}
