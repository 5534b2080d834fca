package emu.node.stack;

import io.netty.buffer.ByteBuf;

/**
 * Everything the IPv4 stack reports, for tracing: one object that the node hands its stack, whose
 * stages each see only their own small part ({@link IpObserver}, {@link ArpObserver},
 * {@link IcmpObserver}, {@link UdpObserver}). The stack never builds an event or a sentence; the
 * node's tracing (emu.node.trace) turns these calls into typed events.
 */
public interface StackObserver extends IpObserver, ArpObserver, IcmpObserver, UdpObserver {
  /** Reports nothing; {@link #enabled()} is false, so the stack computes nothing for it. */
  StackObserver OFF = new Off();

  /** The observer that reports nothing. */
  final class Off implements StackObserver {
    private Off() {}

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void frameSent(Nic nic, long dstMac, ByteBuf frame, int ipStart) {}

    @Override
    public void received(Nic nic, ByteBuf frame, int ipStart, boolean forMe) {}

    @Override
    public void encapsulated(ByteBuf packet, int ipStart) {}

    @Override
    public void routeChosen(int dst, Route route, int nextHop) {}

    @Override
    public void noRoute(int dst) {}

    @Override
    public void forwarded(Nic in, Nic out, int dst, Route route, int nextHop, int ttlBefore, int ttlAfter,
                          int checksumBefore, int checksumAfter) {}

    @Override
    public void dropped(Nic nic, DropReason reason, int dst) {}

    @Override
    public void heard(Nic nic, int op, int senderIp, long senderMac, int targetIp, boolean forUs) {}

    @Override
    public void requestSent(Nic nic, int targetIp, long unicastMac) {}

    @Override
    public void announced(Nic nic) {}

    @Override
    public void replySent(Nic nic, int toIp, long toMac) {}

    @Override
    public void neighborChanged(Nic nic, int ip, NeighborState from, NeighborState to, long mac) {}

    @Override
    public void echoAnswered(int to, int ident, int seq) {}

    @Override
    public void errorSent(int type, int code, int to, ByteBuf original, int ipStart) {}

    @Override
    public void delivered(int src, int srcPort, int dstPort, int bytes) {}
  }
}
