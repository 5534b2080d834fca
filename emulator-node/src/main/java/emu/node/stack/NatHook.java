package emu.node.stack;

import io.netty.buffer.ByteBuf;

/**
 * Where address translation plugs into IPv4 forwarding, as netfilter's PREROUTING and POSTROUTING
 * hooks do in Linux: before the routing decision (a reply to a translated flow, or a port
 * forward, gets its real destination) and after it (a packet leaving by a masquerading interface
 * gets the interface's address as its source). The hook rewrites the packet in place, keeping
 * every checksum valid, and returns null to let it go on, or the reason to drop it (the stack
 * counts and releases it).
 */
public interface NatHook {
  /**
   * A valid IPv4 packet (header checked, length trimmed) arrived on {@code in}, before the stack
   * decides whether it is for this node.
   */
  DropReason prerouting(Nic in, ByteBuf frame, int ipStart);

  /**
   * True if {@link #prerouting} would send this packet (addressed to the router) on to an inside
   * host: asked only to tell the packet's arrival right, changes nothing.
   */
  boolean translatesIn(Nic in, ByteBuf frame, int ipStart);

  /**
   * The router is about to send an ICMP error about the packet it is forwarding (TTL expired, no
   * route, too big) or held for its next hop's address (host unreachable): if {@link #prerouting}
   * translated it inward, put back the addresses and ports it arrived with, so that the error
   * quotes what its sender sent (RFC 5508 4.2), its sender can match it to its socket, and no
   * inside address leaves. Changes nothing for any other packet.
   */
  void undoInbound(ByteBuf frame, int ipStart);

  /** A packet from {@code in} will be forwarded out of {@code out}, TTL still undecremented. */
  DropReason postrouting(Nic in, Nic out, ByteBuf frame, int ipStart);

  /**
   * True if the translator holds {@code port} of {@code protocol} (6 or 17; for 1, an echo
   * identifier) as a mapping's external port: the node's own sockets draw their ephemeral ports,
   * and its pings their identifiers, elsewhere, so a reply meant for a translated flow is never
   * taken for the router's own.
   */
  boolean holdsPort(int protocol, int port);
}
