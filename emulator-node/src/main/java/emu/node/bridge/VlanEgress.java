package emu.node.bridge;

import emu.link.wire.EthernetFrame;
import emu.link.wire.VlanTag;
import io.netty.buffer.ByteBuf;

/**
 * How a VLAN-aware switch gives a frame the form an egress port wants: tagged with its VLAN
 * (a trunk, the VLAN not its native one) or untagged (an access port, a trunk's native VLAN).
 * The frame keeps the form it arrived in until an egress port needs the other one, so a frame
 * passing from trunk to trunk or access to access is never touched.
 *
 * <p>A flooded frame goes to several ports, each with its own bytes (a receiver may edit its frame
 * in place): {@link #copy} writes each copy directly in the port's form, one allocation and one
 * pass over the bytes, rather than copying and then moving the addresses; the last port takes the
 * original, converted in place by {@link #convert}: VlanTag's strip, always in place; push, in
 * place only into a frame that is ours and has room in front (one built in this process, as on
 * virtual time). A frame as a UDP link delivers it has none (a slice of a GRO batch, or raw
 * framing at reader index 0), so in a lab the tag is pushed by one pooled copy (BENCHMARKS.md,
 * SwitchBenchmark's {@code tag-raw}).
 */
final class VlanEgress {
  private VlanEgress() {}

  /** The frame, in its own form {@code taggedIn}, converted to {@code tagOut}: in place, or a tag added by a copy. */
  static ByteBuf convert(ByteBuf frame, boolean taggedIn, boolean tagOut, int vid) {
    if (taggedIn == tagOut) {
      return frame;
    }
    return taggedIn ? VlanTag.strip(frame) : VlanTag.push(frame, vid);
  }

  /**
   * A copy of {@code frame} (in form {@code taggedIn}) in form {@code tagOut}; the frame is left as
   * it was. The copy has {@link VlanTag#COPY_HEADROOM} bytes free in front, as {@link VlanTag#push}'s
   * copies do, so a VXLAN link (or a later tag) writes its header there rather than copying again.
   */
  static ByteBuf copy(ByteBuf frame, boolean taggedIn, boolean tagOut, int vid) {
    int at = frame.readerIndex();
    int len = frame.readableBytes();
    int outLen = taggedIn == tagOut ? len : taggedIn ? len - VlanTag.LEN : len + VlanTag.LEN;
    ByteBuf out = frame.alloc().directBuffer(VlanTag.COPY_HEADROOM + outLen);
    out.writerIndex(VlanTag.COPY_HEADROOM).readerIndex(VlanTag.COPY_HEADROOM);
    if (taggedIn == tagOut) {
      return out.writeBytes(frame, at, len);
    }
    out.writeBytes(frame, at, EthernetFrame.ETHERTYPE); // the two addresses
    if (taggedIn) {
      out.writeBytes(frame, at + VlanTag.INNER_ETHERTYPE, len - VlanTag.INNER_ETHERTYPE);
    } else {
      out.writeShort(VlanTag.TPID);
      out.writeShort(vid);
      out.writeBytes(frame, at + EthernetFrame.ETHERTYPE, len - EthernetFrame.ETHERTYPE);
    }
    return out;
  }
}
