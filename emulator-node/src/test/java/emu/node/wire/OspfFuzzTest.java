package emu.node.wire;

import static emu.node.wire.WireBytes.hex;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A mutation fuzz of the golden OSPF packets and LSAs: bytes changed, packets cut short, and, for
 * half of them, the checksums made right again after the damage so that the body checks are
 * reached rather than stopped at the checksum. Whatever the input, checking and then reading
 * everything a receiver would read never throws nor reads past the bytes (the buffers have no
 * slack), and each refusal has a reason.
 */
class OspfFuzzTest {
  private final OspfPacket p = new OspfPacket();
  private final OspfLsa lsa = new OspfLsa();
  private final OspfHello hello = new OspfHello();
  private final OspfDbDescription dd = new OspfDbDescription();
  private final OspfLsRequest lsr = new OspfLsRequest();
  private final OspfLsUpdate lsu = new OspfLsUpdate();
  private final OspfLsAck ack = new OspfLsAck();
  private final OspfRouterLsa router = new OspfRouterLsa();
  private final OspfNetworkLsa network = new OspfNetworkLsa();
  private final Map<OspfPacket.Check, Integer> packetVerdicts = new EnumMap<>(OspfPacket.Check.class);
  private final Map<OspfLsa.Check, Integer> lsaVerdicts = new EnumMap<>(OspfLsa.Check.class);

  @Test
  void mutatedPacketsNeverThrowNorReadPastTheBytes() {
    List<byte[]> seeds = List.of(hex(OspfGolden.HELLO), hex(OspfGolden.DD_INIT), hex(OspfGolden.DD_HEADERS),
        hex(OspfGolden.LS_REQUEST), hex(OspfGolden.LS_UPDATE), hex(OspfGolden.LS_ACK));
    SplittableRandom rnd = new SplittableRandom(2328);
    for (int i = 0; i < 30_000; i++) {
      byte[] f = seeds.get(rnd.nextInt(seeds.size())).clone();
      int edits = 1 + rnd.nextInt(4);
      for (int e = 0; e < edits; e++) {
        // mostly the header and the length fields, where the framing is decided
        int at = rnd.nextInt(rnd.nextBoolean() ? Math.min(f.length, 48) : f.length);
        f[at] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(6) == 0) {
        f = Arrays.copyOf(f, rnd.nextInt(f.length + 1));
      }
      if (rnd.nextBoolean()) {
        resum(f);
      }
      byte[] packet = f;
      assertDoesNotThrow(() -> readPacket(packet), () -> HexFormat.of().formatHex(packet));
    }
    for (OspfPacket.Check c : OspfPacket.Check.values()) {
      assertTrue(packetVerdicts.getOrDefault(c, 0) > 0, "the fuzz reached " + c + ": " + packetVerdicts);
    }
    for (OspfLsa.Check c : new OspfLsa.Check[] {OspfLsa.Check.OK, OspfLsa.Check.BAD_CHECKSUM,
        OspfLsa.Check.BAD_ROUTER_LINKS}) {
      assertTrue(lsaVerdicts.getOrDefault(c, 0) > 0, "the fuzz reached LSA " + c + ": " + lsaVerdicts);
    }
  }

  @Test
  void mutatedLsasNeverThrowNorReadPastTheBytes() {
    List<byte[]> seeds = List.of(hex(OspfGolden.ROUTER_LSA), hex(OspfGolden.NETWORK_LSA));
    SplittableRandom rnd = new SplittableRandom(905);
    for (int i = 0; i < 20_000; i++) {
      byte[] f = seeds.get(rnd.nextInt(seeds.size())).clone();
      for (int e = 0, n = 1 + rnd.nextInt(3); e < n; e++) {
        f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(5) == 0) {
        f = Arrays.copyOf(f, rnd.nextInt(f.length + 1));
      }
      if (rnd.nextBoolean() && f.length >= OspfLsa.HEADER_LEN) {
        ByteBuf b = Unpooled.wrappedBuffer(f);
        int len = b.getUnsignedShort(OspfLsa.LENGTH);
        if (len >= OspfLsa.HEADER_LEN && len <= f.length) {
          OspfLsa.fillChecksum(b, 0);
        }
      }
      byte[] bytes = f;
      assertDoesNotThrow(() -> readLsa(Unpooled.wrappedBuffer(bytes), 0, bytes.length),
          () -> HexFormat.of().formatHex(bytes));
    }
    for (OspfLsa.Check c : OspfLsa.Check.values()) {
      assertTrue(lsaVerdicts.getOrDefault(c, 0) > 0, "the fuzz reached " + c + ": " + lsaVerdicts);
    }
  }

  /**
   * Jazzer target for the same reading: one OSPF packet (the corpus holds the golden packets),
   * its checksums made right when the lengths allow.
   */
  @FuzzTest(maxDuration = "10m")
  void packet(byte[] packet) {
    resum(packet);
    readPacket(packet);
  }

  /** Jazzer target: one LSA (the corpus holds the golden router and network LSAs), checksum made right. */
  @FuzzTest(maxDuration = "10m")
  void lsa(byte[] bytes) {
    if (bytes.length >= OspfLsa.HEADER_LEN) {
      ByteBuf b = Unpooled.wrappedBuffer(bytes);
      int len = b.getUnsignedShort(OspfLsa.LENGTH);
      if (len >= OspfLsa.HEADER_LEN && len <= bytes.length) {
        OspfLsa.fillChecksum(b, 0);
      }
    }
    readLsa(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
  }

  /** Makes the packet's checksum, and those of an update's LSAs that frame, right again where the lengths allow. */
  private static void resum(byte[] f) {
    if (f.length < OspfPacket.HEADER_LEN) {
      return;
    }
    ByteBuf b = Unpooled.wrappedBuffer(f);
    int len = b.getUnsignedShort(OspfPacket.PACKET_LENGTH);
    if (len < OspfPacket.HEADER_LEN || len > f.length) {
      return;
    }
    if (b.getUnsignedByte(OspfPacket.TYPE) == OspfPacket.TYPE_LS_UPDATE && len >= OspfLsUpdate.LSAS) {
      int at = OspfLsUpdate.LSAS;
      while (len - at >= OspfLsa.HEADER_LEN) {
        int l = b.getUnsignedShort(at + OspfLsa.LENGTH);
        if (l < OspfLsa.HEADER_LEN || l > len - at) {
          break;
        }
        OspfLsa.fillChecksum(b, at);
        at += l;
      }
    }
    OspfPacket.fillChecksum(b, 0);
  }

  /** Everything a receiver reads, guarded as a receiver guards it. */
  private void readPacket(byte[] f) {
    ByteBuf b = Unpooled.wrappedBuffer(f); // capacity == length: any over-read throws
    // the IP header may claim more payload than arrived: the view clamps
    OspfPacket.Check c = p.wrap(b, 0, f.length + 8).check();
    packetVerdicts.merge(c, 1, Integer::sum);
    if (c != OspfPacket.Check.OK) {
      return;
    }
    OspfPacket.Repr.parse(p);
    switch (p.type()) {
      case OspfPacket.TYPE_HELLO -> {
        hello.wrap(p);
        hello.lists(0x02020202);
        OspfHello.Repr.parse(hello);
      }
      case OspfPacket.TYPE_DB_DESCRIPTION -> {
        dd.wrap(p);
        for (int i = 0; i < dd.lsaHeaderCount(); i++) {
          lsa.wrap(b, dd.lsaHeaderIndex(i), OspfLsa.HEADER_LEN);
          lsa.sequence();
          lsa.length();
        }
        OspfDbDescription.Repr.parse(dd);
      }
      case OspfPacket.TYPE_LS_REQUEST -> {
        lsr.wrap(p);
        OspfLsRequest.Repr.parse(lsr);
      }
      case OspfPacket.TYPE_LS_UPDATE -> {
        lsu.wrap(p);
        for (int i = 0, at = lsu.firstLsa(); i < lsu.lsaCount(); i++, at = lsu.nextLsa(at)) {
          readLsa(b, at, lsu.remaining(at));
        }
        OspfLsUpdate.Repr.parse(lsu);
      }
      default -> {
        ack.wrap(p);
        OspfLsAck.Repr.parse(ack);
      }
    }
  }

  private void readLsa(ByteBuf b, int at, int available) {
    OspfLsa.Check c = lsa.wrap(b, at, available).check();
    lsaVerdicts.merge(c, 1, Integer::sum);
    if (c != OspfLsa.Check.OK) {
      return;
    }
    if (lsa.type() == OspfLsa.TYPE_ROUTER) {
      router.wrap(lsa);
      for (int i = 0, l = router.firstLink(); i < router.linkCount(); i++, l = router.nextLink(l)) {
        router.linkId(l);
        router.linkData(l);
        router.metric(l);
      }
    } else if (lsa.type() == OspfLsa.TYPE_NETWORK) {
      network.wrap(lsa);
      for (int i = 0; i < network.attachedCount(); i++) {
        network.attached(i);
      }
    }
    OspfLsa.Repr.parse(lsa);
  }
}
