package emu.link.tunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.link.LinkCounters;
import emu.link.wire.VxlanHeader;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer target for a link's receive path: each input is the payload of one UDP datagram from the
 * peer, handed to {@link UdpLinkEndpoint#onDatagram} (what the socket's handler calls) of a VXLAN
 * endpoint (VNI 42, RFC 7348) and of a raw one. Each datagram must come out exactly once: as a
 * frame (the bytes after the 8-byte VXLAN header, unchanged) or as one counted drop, and its
 * buffer must be released either way.
 */
class VxlanReceiveFuzzTest {
  private static final InetSocketAddress LOCAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4789);
  private static final InetSocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4790);
  private static final int VNI = 42;

  @FuzzTest(maxDuration = "10m")
  void datagram(byte[] payload) {
    receive(VNI, payload, Arrays.copyOfRange(payload, Math.min(VxlanHeader.LEN, payload.length), payload.length));
    receive(UdpLinkEndpoint.RAW, payload, payload);
  }

  private static void receive(int vni, byte[] payload, byte[] frameIfDelivered) {
    UdpLinkEndpoint ep = new UdpLinkEndpoint("fuzz", LOCAL, PEER, 1500, vni);
    List<byte[]> frames = new ArrayList<>();
    ep.receiver(frame -> {
      byte[] b = new byte[frame.readableBytes()];
      frame.getBytes(frame.readerIndex(), b);
      frames.add(b);
      frame.release();
    });
    ByteBuf content = Unpooled.buffer(payload.length).writeBytes(payload);
    ep.onDatagram(new DatagramPacket(content, LOCAL, PEER));
    LinkCounters c = ep.counters();
    assertEquals(1, c.rxFrames + c.rxDrops(), "one datagram, one outcome");
    assertEquals(c.rxFrames, frames.size());
    if (!frames.isEmpty()) {
      assertArrayEquals(frameIfDelivered, frames.get(0));
    }
    assertEquals(0, content.refCnt(), "the datagram's buffer is released");
    ep.close();
  }
}
