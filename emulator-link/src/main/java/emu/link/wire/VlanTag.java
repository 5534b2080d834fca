package emu.link.wire;

import io.netty.buffer.ByteBuf;

/**
 * The IEEE 802.1Q tag, as it sits in an Ethernet frame between the source MAC and the EtherType
 * (no preamble, no FCS):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Destination MAC (6 octets), Source MAC (6 octets)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       TPID 0x8100 (12)        | PCP |D|   VID (12 bits) (14)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    inner EtherType (16)       |          Payload ...          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Static accessors on a frame at a buffer index, as {@link EthernetFrame}'s, so that a switch
 * reads a tag without a view object. {@link #strip} and {@link #push} work in place where they can:
 * removing a tag moves the 12 address bytes 4 forward and advances the reader index; adding one
 * moves them 4 back into the bytes before the reader index when there are 4 and the buffer is
 * writable and not retained elsewhere, and otherwise copies the frame once into a pooled buffer
 * (from the frame's own allocator) that keeps headroom for the link's encapsulation. That is what
 * Linux does too ({@code skb_vlan_push} reallocates only when the headroom is short).
 *
 * <p>Ownership: both write into the frame, so the caller must own the frame's bytes and the bytes
 * before its reader index: a frame received from a link (a datagram, or a slice of a batch of
 * them, whose earlier bytes are the same datagram's encapsulation or a tag just stripped), or one
 * the stack built. A duplicate that shares its bytes with another reader (a flooded copy made by
 * {@code retainedDuplicate}) must not be handed to them; emu floods by copying. In a lab the
 * common case is a tag pushed onto a frame received untagged, which has no room in front (a raw
 * datagram starts at index 0) and is copied; a frame that arrived tagged and leaves tagged on
 * another VLAN (a router on a stick) has the 4 bytes its stripped tag left and is not.
 *
 * <p>VID 0 marks a priority-tagged frame (no VLAN) and 4095 is reserved (802.1Q table 9-2): a VLAN
 * number is 1..4094 ({@link #isValidVid}).
 */
public final class VlanTag {
  /** Bytes the tag adds to a frame. */
  public static final int LEN = 4;
  /** The tag protocol identifier of a C-VLAN tag, in the EtherType position. */
  public static final int TPID = EthernetFrame.ETHERTYPE_VLAN;
  /** Offset of the tag control information (PCP, DEI, VID) from the frame start. */
  public static final int TCI = 14;
  /** Offset of the EtherType of what the tag carries, from the frame start. */
  public static final int INNER_ETHERTYPE = 16;
  /** Header bytes of a tagged frame: addresses, tag and inner EtherType. */
  public static final int TAGGED_HEADER_LEN = EthernetFrame.HEADER_LEN + LEN;
  /** The lowest and highest VLAN numbers a port may belong to. */
  public static final int MIN_VID = 1;
  public static final int MAX_VID = 4094;
  /**
   * Headroom left in front of a frame that {@link #push} had to copy (VXLAN's 8 bytes and another
   * tag), and in front of a switch's flooded copies, so a VXLAN link puts its header there instead
   * of copying the frame again.
   */
  public static final int COPY_HEADROOM = 16;

  private VlanTag() {}

  /** Whether {@code vid} names a VLAN (1..4094): 0 is a priority tag, 4095 reserved. */
  public static boolean isValidVid(int vid) {
    return vid >= MIN_VID && vid <= MAX_VID;
  }

  /** Whether the frame at {@code index} carries an 802.1Q tag in full: EtherType 0x8100, and the tag is there. */
  public static boolean isTagged(ByteBuf buf, int index) {
    return buf.writerIndex() - index >= TAGGED_HEADER_LEN && EthernetFrame.etherType(buf, index) == TPID;
  }

  /** The tag control information, 16 bits: PCP (3), DEI (1), VID (12). */
  public static int tci(ByteBuf buf, int index) {
    return buf.getUnsignedShort(index + TCI);
  }

  /** The VLAN identifier of a tagged frame. */
  public static int vid(ByteBuf buf, int index) {
    return tci(buf, index) & 0x0FFF;
  }

  /** The priority code point (802.1p class) of a tagged frame. */
  public static int pcp(ByteBuf buf, int index) {
    return tci(buf, index) >>> 13;
  }

  /** The drop eligible indicator of a tagged frame. */
  public static boolean dei(ByteBuf buf, int index) {
    return (tci(buf, index) & 0x1000) != 0;
  }

  /** The EtherType of what a tagged frame carries. */
  public static int innerEtherType(ByteBuf buf, int index) {
    return buf.getUnsignedShort(index + INNER_ETHERTYPE);
  }

  /** A TCI from its fields; throws on a field out of range. */
  public static int tci(int pcp, boolean dei, int vid) {
    if (pcp < 0 || pcp > 7) {
      throw new IllegalArgumentException("PCP " + pcp + " outside 0..7");
    }
    if (vid < 0 || vid > 4095) {
      throw new IllegalArgumentException("VID " + vid + " outside 0..4095");
    }
    return pcp << 13 | (dei ? 0x1000 : 0) | vid;
  }

  /** Rewrites the VID of a tagged frame at the reader index in place, keeping PCP and DEI. */
  public static void setVid(ByteBuf frame, int vid) {
    int at = frame.readerIndex() + TCI;
    frame.setShort(at, frame.getUnsignedShort(at) & 0xF000 | tci(0, false, vid));
  }

  /**
   * Removes the tag of the frame at the reader index, in place: the addresses move 4 bytes forward
   * and the reader index with them. The frame must be tagged ({@link #isTagged}), writable and
   * exclusively the caller's: a duplicate of it (a flooded copy) shares these bytes.
   */
  public static ByteBuf strip(ByteBuf frame) {
    int at = frame.readerIndex();
    long head = frame.getLong(at);
    int tail = frame.getInt(at + 8);
    frame.setLong(at + LEN, head);
    frame.setInt(at + LEN + 8, tail);
    return frame.readerIndex(at + LEN);
  }

  /**
   * Adds a tag with {@code tci} to the frame at the reader index and returns the tagged frame: the
   * same buffer when it has headroom and is exclusively ours, else a pooled copy (the argument is
   * then released). Either way the caller owns what is returned and no longer owns the argument.
   */
  public static ByteBuf push(ByteBuf frame, int tci) {
    int at = frame.readerIndex() - LEN;
    if (at >= 0 && frame.refCnt() == 1 && !frame.isReadOnly()) {
      writeTagged(frame, frame, frame.readerIndex(), at, tci);
      return frame.readerIndex(at);
    }
    int len = frame.readableBytes();
    ByteBuf out = frame.alloc().directBuffer(COPY_HEADROOM + LEN + len);
    out.writerIndex(COPY_HEADROOM + LEN + len);
    out.readerIndex(COPY_HEADROOM);
    writeTagged(frame, out, frame.readerIndex(), COPY_HEADROOM, tci);
    out.setBytes(COPY_HEADROOM + TAGGED_HEADER_LEN - 2, frame, frame.readerIndex() + EthernetFrame.ETHERTYPE,
        len - EthernetFrame.ETHERTYPE);
    frame.release();
    return out;
  }

  /**
   * Writes the addresses read at {@code from} in {@code src} to {@code to} in {@code dst}, then the
   * tag; the inner EtherType is what follows (in place, the frame's own EtherType stays where it was).
   */
  private static void writeTagged(ByteBuf src, ByteBuf dst, int from, int to, int tci) {
    long head = src.getLong(from);
    int tail = src.getInt(from + 8);
    dst.setLong(to, head);
    dst.setInt(to + 8, tail);
    dst.setShort(to + EthernetFrame.ETHERTYPE, TPID);
    dst.setShort(to + TCI, tci);
  }
}
