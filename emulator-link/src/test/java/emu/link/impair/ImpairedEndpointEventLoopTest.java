package emu.link.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.EventLoopTime;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** On a real Netty event loop and its clock, as a node runs it: delayed frames arrive after the delay, in order. */
class ImpairedEndpointEventLoopTest {
  @Test
  void delaysOnARealEventLoop() throws Exception {
    EventLoop loop = new DefaultEventLoop();
    try {
      EventLoopTime time = new EventLoopTime(loop);
      int n = 20;
      CountDownLatch done = new CountDownLatch(n);
      List<Integer> seqs = new ArrayList<>();
      List<Long> delays = new ArrayList<>();
      long[] sentAt = new long[1];
      LinkEndpoint inner = new LinkEndpoint() {
        @Override
        public String name() {
          return "loop";
        }

        @Override
        public int mtu() {
          return 1500;
        }

        @Override
        public void send(ByteBuf frame) {
          seqs.add(frame.getInt(RecordingEndpoint.SEQ_OFFSET));
          delays.add(time.nanos() - sentAt[0]);
          frame.release();
          done.countDown();
        }

        @Override
        public void receiver(FrameReceiver receiver) {}

        @Override
        public LinkCounters counters() {
          return new LinkCounters();
        }

        @Override
        public void close() {}
      };
      loop.execute(() -> {
        ImpairedEndpoint e = new ImpairedEndpoint(inner, time, 1);
        e.impairment(ImpairmentParser.apply(Impairment.NONE, Map.of("delay", "5ms")));
        sentAt[0] = time.nanos();
        for (int i = 0; i < n; i++) {
          e.send(RecordingEndpoint.frame(i, 64));
        }
      });
      assertTrue(done.await(5, TimeUnit.SECONDS), "all frames delivered");
      loop.submit(() -> {
        for (int i = 0; i < n; i++) {
          assertEquals(i, seqs.get(i));
          assertTrue(delays.get(i) >= 5_000_000L, "not before the delay: " + delays.get(i));
        }
      }).get();
    } finally {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
  }
}
