/**
 * OSPFv2 (RFC 2328) on emu routers: for now the shortest-path calculation ({@link emu.node.ospf.Spf},
 * RFC 2328 16.1) over a link-state database given as router- and network-LSA values. The wire
 * formats live in {@code emu.node.wire} (OspfPacket, OspfLsa and their kin). The protocol machine
 * (interfaces, neighbours, flooding, ageing) is to come; it will feed its database to {@code Spf}
 * and install the routes it returns. This package depends on nothing above the wire formats: not
 * on the host, the stack or the event model.
 */
package emu.node.ospf;
