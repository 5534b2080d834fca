package emu.node.bridge.stp;

import emu.node.wire.Bpdu;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** What a port sends (802.1D-2004 17.21.19-21 txConfig, txRstp, txTcn), and the frame around it. */
final class BpduFrames {
  /** Ethernet's minimum frame without the FCS: a BPDU is padded to it. */
  static final int MIN_FRAME = 60;

  private BpduFrames() {}

  /**
   * The BPDU for {@code p}: on an STP port a TCN (root port with a change to report) or a
   * configuration BPDU (designated port; takes the pending TCA), else an RST BPDU with the port's
   * role, state, proposal and agreement; null when an STP port has nothing to send.
   */
  static Bpdu.Repr bpdu(StpPort p, boolean legacy, boolean tc, long rootId, long rootCost, long bridgeId,
                        int msgAge, int maxAge, int hello, int fwdDelay) {
    if (legacy) {
      if (p.role == PortRole.ROOT && p.tcnPending) {
        return Bpdu.Repr.tcn();
      }
      if (p.role != PortRole.DESIGNATED) {
        return null;
      }
      int flags = (tc ? Bpdu.FLAG_TC : 0) | (p.tcAck ? Bpdu.FLAG_TCA : 0);
      p.tcAck = false;
      return new Bpdu.Repr(Bpdu.TYPE_CONFIG, flags, rootId, rootCost, bridgeId, p.portId, msgAge, maxAge, hello,
          fwdDelay);
    }
    int role = switch (p.role) {
      case ROOT -> Bpdu.ROLE_ROOT;
      case DESIGNATED -> Bpdu.ROLE_DESIGNATED;
      case ALTERNATE, BACKUP -> Bpdu.ROLE_ALTERNATE_BACKUP;
      case DISABLED -> Bpdu.ROLE_UNKNOWN;
    };
    int flags = (tc ? Bpdu.FLAG_TC : 0) | (p.proposing && p.role == PortRole.DESIGNATED ? Bpdu.FLAG_PROPOSAL : 0)
        | role << Bpdu.ROLE_SHIFT | (p.state != PortState.DISCARDING ? Bpdu.FLAG_LEARNING : 0)
        | (p.state == PortState.FORWARDING ? Bpdu.FLAG_FORWARDING : 0) | (p.agree ? Bpdu.FLAG_AGREEMENT : 0);
    return new Bpdu.Repr(Bpdu.TYPE_RST, flags, rootId, rootCost, bridgeId, p.portId, msgAge, maxAge, hello, fwdDelay);
  }

  /** {@code r} in an 802.3 frame from {@code srcMac} to the bridge group address, padded; the caller owns it. */
  static ByteBuf frame(ByteBufAllocator alloc, long srcMac, Bpdu.Repr r, Bpdu view) {
    int len = r.bufferLen();
    ByteBuf f = alloc.buffer(Math.max(MIN_FRAME, 14 + len));
    f.writeMedium((int) (Bpdu.GROUP_ADDRESS >>> 24)).writeMedium((int) (Bpdu.GROUP_ADDRESS & 0xFFFFFF));
    f.writeMedium((int) (srcMac >>> 24)).writeMedium((int) (srcMac & 0xFFFFFF));
    f.writeShort(len); // an 802.3 length, not an EtherType: LLC follows
    f.writeZero(Math.max(MIN_FRAME - 14, len));
    r.emit(view.wrap(f, 14, len));
    return f;
  }
}
