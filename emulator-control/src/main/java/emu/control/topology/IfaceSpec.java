package emu.control.topology;

/**
 * One interface of a node as the topology file declares it (or, for a switch port only named by
 * a link, as it is created implicitly): what the launcher needs to configure it.
 *
 * @param address a.b.c.d/n, or null (switch ports)
 * @param mac aa:bb:cc:dd:ee:ff as written, or null to let the node choose
 * @param port the UDP port its link socket binds, or null for any
 * @param mtu or null for the link's (or the default) MTU
 */
public record IfaceSpec(String name, String address, String mac, Integer port, Integer mtu) {}
