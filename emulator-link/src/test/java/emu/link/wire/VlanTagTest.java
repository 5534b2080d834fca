package emu.link.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The 802.1Q tag against bytes written out by hand from the standard's figure. */
class VlanTagTest {
  /** An ARP request from 02:00:00:00:00:01 for 192.168.10.1, untagged (EtherType 0x0806). */
  private static final String UNTAGGED = "ffffffffffff" + "020000000001" + "0806"
      + "0001080006040001" + "020000000001" + "c0a80a02" + "000000000000" + "c0a80a01";
  /** The same frame in VLAN 10, priority 0: TPID 8100, TCI 000a, then the frame's own EtherType. */
  private static final String TAGGED_10 = "ffffffffffff" + "020000000001" + "8100" + "000a" + "0806"
      + "0001080006040001" + "020000000001" + "c0a80a02" + "000000000000" + "c0a80a01";

  private static ByteBuf withHeadroom(String hex, int headroom) {
    byte[] bytes = ByteBufUtil.decodeHexDump(hex);
    ByteBuf buf = Unpooled.buffer(headroom + bytes.length);
    buf.writerIndex(headroom).readerIndex(headroom);
    return buf.writeBytes(bytes);
  }

  private static String hex(ByteBuf frame) {
    return ByteBufUtil.hexDump(frame);
  }

  @Test
  void readsTheTagsFields() {
    ByteBuf f = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(TAGGED_10));
    assertTrue(VlanTag.isTagged(f, 0));
    assertEquals(10, VlanTag.vid(f, 0));
    assertEquals(0, VlanTag.pcp(f, 0));
    assertFalse(VlanTag.dei(f, 0));
    assertEquals(EthernetFrame.ETHERTYPE_ARP, VlanTag.innerEtherType(f, 0));
    // PCP 5 (voice), DEI set, VID 100: 101 1 0000 0110 0100 = 0xb064
    f.setShort(VlanTag.TCI, VlanTag.tci(5, true, 100));
    assertEquals("b064", ByteBufUtil.hexDump(f, 14, 2));
    assertEquals(5, VlanTag.pcp(f, 0));
    assertTrue(VlanTag.dei(f, 0));
    assertEquals(100, VlanTag.vid(f, 0));
    VlanTag.setVid(f, 4094);
    assertEquals("bffe", ByteBufUtil.hexDump(f, 14, 2), "a new VID keeps PCP and DEI");
  }

  @Test
  void anUntaggedOrCutShortFrameIsNotTagged() {
    assertFalse(VlanTag.isTagged(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(UNTAGGED)), 0));
    ByteBuf cut = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(TAGGED_10.substring(0, 34)));
    assertEquals(17, cut.readableBytes());
    assertFalse(VlanTag.isTagged(cut, 0), "a tag needs 18 bytes of header");
  }

  @Test
  void vlanNumbersAreOneTo4094() {
    assertFalse(VlanTag.isValidVid(0), "0 is a priority tag");
    assertTrue(VlanTag.isValidVid(1));
    assertTrue(VlanTag.isValidVid(4094));
    assertFalse(VlanTag.isValidVid(4095), "reserved");
    assertThrows(IllegalArgumentException.class, () -> VlanTag.tci(8, false, 1));
    assertThrows(IllegalArgumentException.class, () -> VlanTag.tci(0, false, 4096));
  }

  @Test
  void pushWritesTheTagInTheHeadroomInPlace() {
    ByteBuf f = withHeadroom(UNTAGGED, 8);
    ByteBuf tagged = VlanTag.push(f, VlanTag.tci(0, false, 10));
    assertSame(f, tagged, "4 bytes of headroom: no copy");
    assertEquals(4, tagged.readerIndex());
    assertEquals(TAGGED_10, hex(tagged));
    tagged.release();
  }

  @Test
  void pushCopiesOnceWhenThereIsNoHeadroomAndReleasesTheOriginal() {
    ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer(64).writeBytes(ByteBufUtil.decodeHexDump(UNTAGGED));
    ByteBuf tagged = VlanTag.push(f, VlanTag.tci(0, false, 10));
    assertNotSame(f, tagged);
    assertEquals(0, f.refCnt(), "the original is released");
    assertEquals(TAGGED_10, hex(tagged));
    assertTrue(tagged.readerIndex() >= 8, "the copy keeps headroom for the link's VXLAN header");
    tagged.release();
  }

  @Test
  void pushCopiesASharedFrameRatherThanWriteUnderAnotherReader() {
    ByteBuf f = withHeadroom(UNTAGGED, 8);
    ByteBuf other = f.retainedDuplicate(); // a flooded copy on its way to another port
    ByteBuf tagged = VlanTag.push(f, VlanTag.tci(0, false, 10));
    assertNotSame(f, tagged);
    assertEquals(UNTAGGED, hex(other), "the other port's frame is untouched");
    assertEquals(TAGGED_10, hex(tagged));
    other.release();
    tagged.release();
    assertEquals(0, f.refCnt());
  }

  @Test
  void stripRemovesTheTagInPlace() {
    ByteBuf f = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(TAGGED_10));
    ByteBuf untagged = VlanTag.strip(f);
    assertSame(f, untagged);
    assertEquals(4, untagged.readerIndex());
    assertEquals(UNTAGGED, hex(untagged));
    assertArrayEquals(ByteBufUtil.decodeHexDump(UNTAGGED), ByteBufUtil.getBytes(untagged));
  }

  @Test
  void pushThenStripIsTheIdentity() {
    ByteBuf f = withHeadroom(UNTAGGED, 4);
    ByteBuf back = VlanTag.strip(VlanTag.push(f, VlanTag.tci(3, false, 4094)));
    assertEquals(UNTAGGED, hex(back));
    back.release();
  }
}
