package emu.control.topology;

/**
 * A static route of a host or router, checked against the node's subnets.
 *
 * @param to destination prefix a.b.c.d/n; "default" in the file is normalised to 0.0.0.0/0
 * @param via next-hop address inside one of the node's subnets
 */
public record RouteSpec(String to, String via, int metric) {}
