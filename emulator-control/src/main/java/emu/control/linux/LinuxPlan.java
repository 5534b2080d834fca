package emu.control.linux;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a linux node becomes on this machine: a network namespace, an underlay veth pair to the
 * root namespace (link-local addresses, never the emulated ones), and one Linux VXLAN device per
 * link (RFC 7348, {@code dstport 4789}) whose remote is the emu end of that link; then the
 * topology's addresses, routes, resolver and hosts inside the namespace. IPv6 (static
 * addresses, SLAAC, IPv6 routes and gateway) is applied once the emu nodes are up
 * ({@link LinuxNamespaces#startIpv6}); interfaces without it keep the kernel's IPv6 off.
 *
 * @param netns the namespace's name ({@code emu-LAB-NODE})
 * @param hostVeth the veth end that stays in the root namespace
 * @param nsVeth the veth end moved into the namespace
 * @param hostUnderlay the root end's address (a /24 of 169.254.0.0/16), e.g. "169.254.101.1/24"
 * @param nsUnderlay the namespace end's address, e.g. "169.254.101.2/24"
 * @param interfaces the VXLAN devices: the topology's interface names and addresses
 * @param routes static routes of either family
 * @param gateway the IPv4 default gateway, or null
 * @param nameservers the resolver's DNS servers for the namespace's resolv.conf, in order (either
 *     family, a link-local one as fe80::53%eth0, as glibc reads it); empty for no resolv.conf
 * @param hosts6 names of IPv6 addresses for the namespace's hosts file (beside {@code hosts})
 * @param gateway6 the IPv6 default gateway as the topology writes it (a link-local one with its
 *     interface, fe80::1%eth0), or null
 */
public record LinuxPlan(String lab, String node, String netns, String hostVeth, String nsVeth, String hostUnderlay,
                        String nsUnderlay, List<Iface> interfaces, List<Route> routes, String gateway,
                        List<String> nameservers, Map<String, String> hosts, String gateway6,
                        Map<String, String> hosts6) {

  /** A linux node without IPv6 hosts entries. */
  public LinuxPlan(String lab, String node, String netns, String hostVeth, String nsVeth, String hostUnderlay,
                   String nsUnderlay, List<Iface> interfaces, List<Route> routes, String gateway,
                   String nameserver, Map<String, String> hosts, String gateway6) {
    this(lab, node, netns, hostVeth, nsVeth, hostUnderlay, nsUnderlay, interfaces, routes, gateway,
        nameserver == null ? List.of() : List.of(nameserver), hosts, gateway6, null);
  }

  /** A linux node without an IPv6 default gateway. */
  public LinuxPlan(String lab, String node, String netns, String hostVeth, String nsVeth, String hostUnderlay,
                   String nsUnderlay, List<Iface> interfaces, List<Route> routes, String gateway,
                   String nameserver, Map<String, String> hosts) {
    this(lab, node, netns, hostVeth, nsVeth, hostUnderlay, nsUnderlay, interfaces, routes, gateway, nameserver, hosts,
        null);
  }

  public LinuxPlan {
    routes = routes == null ? List.of() : List.copyOf(routes);
    nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
    hosts = hosts == null ? Map.of() : hosts;
    hosts6 = hosts6 == null ? Map.of() : hosts6;
  }

  /** True if some interface runs IPv6. */
  public boolean hasIpv6() {
    return interfaces.stream().anyMatch(Iface::hasIpv6);
  }

  /**
   * One interface: a VXLAN device {@code name} with VNI {@code vni} toward {@code remote}
   * (the emu end's underlay address, bound to port 4789 on the root side).
   *
   * @param address the IPv4 address a.b.c.d/n, or null (an IPv6-only interface)
   * @param addresses6 static IPv6 addresses ADDRESS/n; empty if none
   * @param ipv6 "auto" (SLAAC from routers' advertisements), "on" (link-local and any static
   *     addresses), or null (IPv6 on exactly when addresses6 is not empty)
   * @param parent for a VLAN subinterface ({@code ip link add link eth0 name eth0.10 type vlan id 10}),
   *     the VXLAN device it sits on; null for a VXLAN device (which {@code vni} and {@code remote} then describe)
   * @param vid a VLAN subinterface's VLAN, else 0
   */
  public record Iface(String name, String mac, String address, int mtu, int vni, String remote,
                      List<String> addresses6, String ipv6, String parent, int vid) {
    /** A VXLAN device. */
    public Iface(String name, String mac, String address, int mtu, int vni, String remote,
                 List<String> addresses6, String ipv6) {
      this(name, mac, address, mtu, vni, remote, addresses6, ipv6, null, 0);
    }

    /** A VLAN subinterface of {@code parent}: the kernel gives it the parent's MAC and MTU. */
    public static Iface vlan(String name, String parent, int vid, String mac, int mtu, String address,
                             List<String> addresses6, String ipv6) {
      return new Iface(name, mac, address, mtu, 0, null, addresses6, ipv6, parent, vid);
    }

    /** True for a VLAN subinterface. */
    @JsonIgnore
    public boolean isVlan() {
      return parent != null;
    }

    /** An IPv4-only interface. */
    public Iface(String name, String mac, String address, int mtu, int vni, String remote) {
      this(name, mac, address, mtu, vni, remote, List.of(), null);
    }

    public Iface {
      addresses6 = addresses6 == null ? List.of() : List.copyOf(addresses6);
    }

    /** True if IPv6 runs on this interface (else the kernel's IPv6 stays disabled on it). */
    public boolean hasIpv6() {
      return !addresses6.isEmpty() || ipv6 != null;
    }

    /** True if the kernel takes addresses from routers' advertisements here (ipv6: auto). */
    public boolean slaac() {
      return "auto".equals(ipv6);
    }
  }

  /**
   * A static route inside the namespace.
   *
   * @param via the next hop's address, without a zone
   * @param dev the interface a link-local IPv6 next hop is reached on (iproute2's {@code dev},
   *     which does not take {@code fe80::1%eth0}), or null
   */
  public record Route(String to, String via, String dev) {
    /** A route whose next hop needs no interface. */
    public Route(String to, String via) {
      this(to, via, null);
    }

    /** True for an IPv6 route. */
    public boolean ipv6() {
      return via.indexOf(':') >= 0;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public void write(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  public static LinuxPlan read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), LinuxPlan.class);
  }
}
