package emu.node.stack;

import emu.link.FrameReceiver;
import emu.link.wire.VlanTag;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;

/**
 * What an interface with VLAN subinterfaces receives, sorted as Linux's 8021q does it: a frame
 * tagged for a VLAN that has a subinterface goes to it ({@link VlanEndpoint}, tag stripped); a
 * frame tagged for any other VLAN is dropped and counted ({@link DropReason#VLAN_UNKNOWN}: the
 * kernel drops those too, with no device to take them); a priority-tagged frame (VID 0) is the
 * parent's, and the stack's input takes its tag off (as it does on an interface without
 * subinterfaces); an untagged one is the parent's as it is.
 *
 * <p>Why a demultiplexer at the endpoint rather than a branch in the stack's input: the
 * subinterfaces then are ordinary {@link Nic}s over ordinary endpoints, both directions of the
 * tag live in one place ({@link VlanEndpoint}), and a node without subinterfaces keeps its input
 * path exactly as it was. It sits above the parent's capture and impairment, so a capture shows
 * the tags as they are on the wire.
 */
final class VlanDemux implements FrameReceiver {
  private final NetworkStack stack;
  private final Nic parent;
  private final IntObjectHashMap<VlanEndpoint> vlans = new IntObjectHashMap<>();

  VlanDemux(NetworkStack stack, Nic parent) {
    this.stack = stack;
    this.parent = parent;
  }

  void add(VlanEndpoint child) {
    if (vlans.putIfAbsent(child.vid(), child) != null) {
      throw new IllegalArgumentException(parent.name() + " already has a subinterface for VLAN " + child.vid());
    }
  }

  @Override
  public void onFrame(ByteBuf frame) {
    int at = frame.readerIndex();
    if (!VlanTag.isTagged(frame, at) || VlanTag.vid(frame, at) == 0) {
      // untagged, or an 802.1p priority tag (no VLAN): the parent's; its input takes a priority tag off
      stack.input(parent, frame);
      return;
    }
    // the parent saw it on its wire (Linux counts a VLAN's frames on eth0 too)
    parent.rxFrames++;
    parent.rxBytes += frame.readableBytes();
    route(frame);
  }

  /** A frame tagged with a non-zero VID, counted on the parent: to its VLAN's subinterface, or dropped. */
  void route(ByteBuf frame) {
    VlanEndpoint child = vlans.get(VlanTag.vid(frame, frame.readerIndex()));
    if (child != null) {
      child.deliver(frame);
    } else {
      stack.drop(parent, frame, DropReason.VLAN_UNKNOWN);
    }
  }

  /**
   * The frame without its tag: in place when the frame is exclusively ours and writable (every
   * frame a link hands a node is), else a copy, since a frame shared with someone else must keep
   * its bytes.
   */
  static ByteBuf untag(ByteBuf frame) {
    if (frame.refCnt() == 1 && !frame.isReadOnly()) {
      return VlanTag.strip(frame);
    }
    int at = frame.readerIndex();
    int len = frame.readableBytes() - VlanTag.LEN;
    ByteBuf copy = frame.alloc().buffer(len);
    copy.writeBytes(frame, at, 12);
    copy.writeBytes(frame, at + 12 + VlanTag.LEN, len - 12);
    frame.release();
    return copy;
  }
}
