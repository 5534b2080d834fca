package emu.node.testing;

import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;

/**
 * An IPv6 path with a link of the IPv6 minimum MTU in the middle, for path MTU discovery:
 *
 * <pre>
 *   h1 2001:db8:1::2 --1500-- r1 --1280 (2001:db8:3::/64)-- r2 --1500-- h2 2001:db8:2::2
 * </pre>
 *
 * The routers know each other's far prefix by a static route; the hosts learn their router from
 * its advertisements. {@link #build} starts the lab and lets duplicate address detection end.
 */
public final class NarrowIpv6Path {
  private NarrowIpv6Path() {}

  /** The four nodes, h1, r1, r2, h2, of a new path in {@code lab}. */
  public static LabNode[] build(VirtualLab lab) {
    LabNode h1 = lab.host("h1");
    LabNode r1 = lab.router("r1");
    LabNode r2 = lab.router("r2");
    LabNode h2 = lab.host("h2");
    lab.connect(h1, "eth0", "02:00:00:00:01:02", null, r1, "eth0", "02:00:00:00:01:01", null, 1500);
    lab.connect(r1, "eth1", "02:00:00:00:03:01", null, r2, "eth0", "02:00:00:00:03:02", null, 1280);
    lab.connect(r2, "eth1", "02:00:00:00:02:01", null, h2, "eth0", "02:00:00:00:02:02", null, 1500);
    h1.ipv6("eth0", false, "2001:db8:1::2/64");
    r1.ipv6("eth0", false, "2001:db8:1::1/64").ipv6("eth1", false, "2001:db8:3::1/64");
    r2.ipv6("eth0", false, "2001:db8:3::2/64").ipv6("eth1", false, "2001:db8:2::1/64");
    h2.ipv6("eth0", false, "2001:db8:2::2/64");
    r1.ipv6().addRoute(Ipv6Cidr.parse("2001:db8:2::/64"), Ipv6Address.parse("2001:db8:3::2"), null, 1024);
    r2.ipv6().addRoute(Ipv6Cidr.parse("2001:db8:1::/64"), Ipv6Address.parse("2001:db8:3::1"), null, 1024);
    lab.start();
    lab.advance(3_000_000_000L); // duplicate address detection; the hosts hear their routers
    return new LabNode[] {h1, r1, r2, h2};
  }
}
