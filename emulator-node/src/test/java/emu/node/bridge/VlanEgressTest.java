package emu.node.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.link.wire.VlanTag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * A flooded copy is written in its port's form with {@link VlanTag#COPY_HEADROOM} bytes free in
 * front, so that a VXLAN link's header (or another tag) is written there instead of copying again.
 */
class VlanEgressTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String ADDRS = "ffffffffffff02000000000a";
  private static final String TAGGED = ADDRS + "8100" + "a00a" + "88b5" + "0102";
  private static final String UNTAGGED = ADDRS + "88b5" + "0102";

  private static ByteBuf frame(String hex) {
    return Unpooled.directBuffer(64).writeBytes(HEX.parseHex(hex));
  }

  @Test
  void eachCopyHasHeadroomAndTheFramesForm() {
    ByteBuf tagged = frame(TAGGED);
    ByteBuf untagged = frame(UNTAGGED);
    try {
      check(VlanEgress.copy(tagged, true, false, 10), UNTAGGED);
      check(VlanEgress.copy(tagged, true, true, 10), TAGGED);
      check(VlanEgress.copy(untagged, false, true, 10), ADDRS + "8100" + "000a" + "88b5" + "0102");
      check(VlanEgress.copy(untagged, false, false, 10), UNTAGGED);
      assertEquals(TAGGED, ByteBufUtil.hexDump(tagged), "the original is left as it was");
      assertEquals(UNTAGGED, ByteBufUtil.hexDump(untagged));
    } finally {
      tagged.release();
      untagged.release();
    }
  }

  private static void check(ByteBuf copy, String hex) {
    try {
      assertEquals(hex, ByteBufUtil.hexDump(copy));
      assertEquals(VlanTag.COPY_HEADROOM, copy.readerIndex(), "headroom for a VXLAN header or another tag");
    } finally {
      copy.release();
    }
  }
}
