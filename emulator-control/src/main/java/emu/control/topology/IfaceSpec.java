package emu.control.topology;

import emu.node.config.DhcpConfig;
import emu.node.config.NatConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One interface of a node as the topology file declares it (or, for a switch port only named by
 * a link, as it is created implicitly): what the launcher needs to configure it.
 *
 * @param address a.b.c.d/n, or null (switch ports, IPv6-only interfaces)
 * @param mac aa:bb:cc:dd:ee:ff as written, or null to let the node choose
 * @param port the UDP port its link socket binds, or null for any
 * @param mtu or null for the link's (or the default) MTU
 * @param impairments tc-netem words (delay, loss, ...) to their values as written, in file order,
 *     for this interface's egress only; they override the link's words key by key (see
 *     {@link Topology#effectiveImpairments}); empty if none, never null
 * @param addresses6 static IPv6 addresses ADDRESS/n in file order; empty if none, never null
 * @param ipv6 "auto" (SLAAC from routers' advertisements), "on" (IPv6 with the link-local address
 *     and any static ones), or null as written (IPv6 is then on exactly when addresses6 is not empty)
 * @param dhcp the DHCP server on this interface (static bindings keyed by MAC or node name), or null
 * @param dhcpClient true for 'address: dhcp' (address is then null): the lease gives the IPv4 address
 * @param nat source NAT (masquerade) and port forwards on this interface, or null
 */
public record IfaceSpec(String name, String address, String mac, Integer port, Integer mtu,
                        Map<String, String> impairments, String peer, List<String> addresses6, String ipv6,
                        DhcpConfig dhcp, boolean dhcpClient, NatConfig nat) {
  /** An interface without NAT. */
  public IfaceSpec(String name, String address, String mac, Integer port, Integer mtu,
                   Map<String, String> impairments, String peer, List<String> addresses6, String ipv6,
                   DhcpConfig dhcp, boolean dhcpClient) {
    this(name, address, mac, port, mtu, impairments, peer, addresses6, ipv6, dhcp, dhcpClient, null);
  }

  /** An interface without a DHCP server. */
  public IfaceSpec(String name, String address, String mac, Integer port, Integer mtu,
                   Map<String, String> impairments, String peer, List<String> addresses6, String ipv6) {
    this(name, address, mac, port, mtu, impairments, peer, addresses6, ipv6, null, false);
  }

  /** An interface without IPv6. */
  public IfaceSpec(String name, String address, String mac, Integer port, Integer mtu,
                   Map<String, String> impairments, String peer) {
    this(name, address, mac, port, mtu, impairments, peer, List.of(), null);
  }

  /** An interface of an emu, linux or switch node (no outside peer). */
  public IfaceSpec(String name, String address, String mac, Integer port, Integer mtu,
                   Map<String, String> impairments) {
    this(name, address, mac, port, mtu, impairments, null);
  }

  public IfaceSpec {
    addresses6 = addresses6 == null ? List.of() : List.copyOf(addresses6);
    impairments = Collections.unmodifiableMap(impairments == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(impairments));
  }

  /**
   * The interface this one is a VLAN subinterface of ({@code eth0} for {@code eth0.10}), or null:
   * only subinterfaces have a dot in their name (the loader checked the rest).
   */
  public String vlanParent() {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? null : name.substring(0, dot);
  }

  /** A VLAN subinterface's VLAN (1..4094), 0 for any other interface. */
  public int vid() {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? 0 : Integer.parseInt(name.substring(dot + 1));
  }

  /** True if IPv6 runs on this interface. */
  public boolean hasIpv6() {
    return !addresses6.isEmpty() || ipv6 != null;
  }

  /** True if the interface takes addresses from routers' advertisements. */
  public boolean slaac() {
    return "auto".equals(ipv6);
  }

  /** An interface without impairments. */
  public IfaceSpec(String name, String address, String mac, Integer port, Integer mtu) {
    this(name, address, mac, port, mtu, Map.of());
  }
}
