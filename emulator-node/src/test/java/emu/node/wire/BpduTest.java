package emu.node.wire;

import static emu.node.wire.WireBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** BPDU view (IEEE 802.1D-2004 clause 9): golden bytes both ways, and what {@link Bpdu#check} refuses. */
class BpduTest {
  static final long BRIDGE_1 = 0x8000_0200_0000_0001L;
  static final long BRIDGE_2 = 0x8000_0200_0000_0002L;

  /** An RST BPDU from 8000.020000000002 port 0x8003, root 8000.020000000001 at cost 20000, designated proposing, learning. */
  static final String RST = "42 42 03 0000 02 02 1e"
      + "8000020000000001 00004e20 8000020000000002 8003"
      + "0100 1400 0200 0f00 00";
  /** A configuration BPDU with TC and TCA from the root itself, port 0x8002, message age 0. */
  static final String CONFIG = "42 42 03 0000 00 00 81"
      + "8000020000000001 00000000 8000020000000001 8002"
      + "0000 1400 0200 0f00";
  static final String TCN = "42 42 03 0000 00 80";

  static Bpdu.Repr rst() {
    return new Bpdu.Repr(Bpdu.TYPE_RST, Bpdu.FLAG_PROPOSAL | Bpdu.ROLE_DESIGNATED << Bpdu.ROLE_SHIFT
        | Bpdu.FLAG_LEARNING, BRIDGE_1, 20000, BRIDGE_2, 0x8003, 256, 20 * 256, 2 * 256, 15 * 256);
  }

  static Bpdu.Repr config() {
    return new Bpdu.Repr(Bpdu.TYPE_CONFIG, Bpdu.FLAG_TC | Bpdu.FLAG_TCA, BRIDGE_1, 0, BRIDGE_1, 0x8002, 0,
        20 * 256, 2 * 256, 15 * 256);
  }

  static Stream<Arguments> golden() {
    return Stream.of(Arguments.of("rst", rst(), RST), Arguments.of("config", config(), CONFIG),
        Arguments.of("tcn", Bpdu.Repr.tcn(), TCN));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void emitsTheGoldenBytesAndParsesThemBack(String name, Bpdu.Repr repr, String golden) {
    byte[] want = hex(golden);
    assertEquals(want.length, repr.bufferLen());
    ByteBuf b = Unpooled.buffer(want.length).writeZero(want.length);
    repr.emit(new Bpdu().wrap(b, 0, want.length));
    assertArrayEquals(want, ByteBufUtil.getBytes(b), ByteBufUtil.hexDump(b));
    Bpdu view = new Bpdu().wrap(Unpooled.wrappedBuffer(want), 0, want.length);
    assertEquals(Bpdu.Check.OK, view.check());
    assertEquals(repr, Bpdu.Repr.parse(view));
  }

  @Test
  void readsTheFieldsOfTheRstBpdu() {
    byte[] bytes = hex(RST);
    Bpdu v = new Bpdu().wrap(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
    assertEquals(2, v.version());
    assertEquals(Bpdu.ROLE_DESIGNATED, Bpdu.role(v.flags()));
    assertEquals(BRIDGE_1, v.rootId());
    assertEquals(20000, v.rootPathCost());
    assertEquals(0x8003, v.portId());
    assertEquals(256, v.messageAge());
    assertEquals(5120, v.maxAge());
  }

  static Stream<Arguments> malformed() {
    String cfg = CONFIG;
    return Stream.of(
        Arguments.of("empty", "", Bpdu.Check.TRUNCATED),
        Arguments.of("LLC only", "42 42 03 0000", Bpdu.Check.TRUNCATED),
        Arguments.of("config cut short", cfg.substring(0, cfg.length() - 4), Bpdu.Check.TRUNCATED),
        Arguments.of("RST cut before the times", RST.substring(0, 41), Bpdu.Check.TRUNCATED),
        Arguments.of("SNAP, not the STP SAP", "aa aa 03" + cfg.substring(8), Bpdu.Check.NOT_LLC_BPDU),
        Arguments.of("control not UI", "42 42 13" + cfg.substring(8), Bpdu.Check.NOT_LLC_BPDU),
        Arguments.of("protocol id 1", "42 42 03 0001" + cfg.substring(13), Bpdu.Check.BAD_PROTOCOL_ID),
        Arguments.of("type 0x55", "42 42 03 0000 00 55" + cfg.substring(19), Bpdu.Check.BAD_TYPE),
        Arguments.of("RST type at version 0", "42 42 03 0000 00 02" + RST.substring(19), Bpdu.Check.BAD_TYPE),
        Arguments.of("message age = max age", cfg.replace("0000 1400", "1400 1400"), Bpdu.Check.BAD_MESSAGE_AGE),
        Arguments.of("message age > max age", RST.replace("0100 1400", "ffff 1400"), Bpdu.Check.BAD_MESSAGE_AGE));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("malformed")
  void refusesMalformedInput(String name, String bytes, Bpdu.Check expected) {
    byte[] b = hex(bytes);
    assertEquals(expected, new Bpdu().wrap(Unpooled.wrappedBuffer(b), 0, b.length).check());
  }

  @Test
  void aLengthFieldLongerThanTheBytesIsTruncated() {
    byte[] b = hex(CONFIG);
    assertEquals(Bpdu.Check.TRUNCATED, new Bpdu().wrap(Unpooled.wrappedBuffer(b), 0, b.length + 1).check());
  }

  @Test
  void aFutureVersionIsReadAsRst() {
    byte[] b = hex(RST.replace("0000 02 02", "0000 03 02"));
    assertEquals(Bpdu.Check.OK, new Bpdu().wrap(Unpooled.wrappedBuffer(b), 0, b.length).check());
  }
}
