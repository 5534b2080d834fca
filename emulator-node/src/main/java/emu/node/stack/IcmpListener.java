package emu.node.stack;

import emu.node.wire.IcmpPacket;
import emu.node.wire.Ipv4Packet;

/**
 * Gets ICMP messages addressed to this node other than echo requests (which the stack answers
 * itself): echo replies and errors, for ping and traceroute. The views are valid only during
 * the call.
 */
@FunctionalInterface
public interface IcmpListener {
  void onIcmp(Ipv4Packet ip, IcmpPacket icmp);
}
