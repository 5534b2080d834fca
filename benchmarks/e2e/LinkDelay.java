import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.impair.ImpairedEndpoint;
import emu.link.impair.Impairment;
import emu.link.impair.ImpairmentParser;
import emu.link.time.EventLoopTime;
import emu.link.tunnel.Transports;
import emu.link.tunnel.UdpLinkEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One impaired link on real time, in one process: two UDP link endpoints on 127.0.0.1, each on
 * its own event loop (Transports: epoll on Linux), the sender's wrapped in an ImpairedEndpoint
 * as a node wraps it. Each frame carries System.nanoTime() at send and, stamped by a shim
 * between the impairment and the UDP endpoint, at release; the receiver's loop reads both. So
 * the one-way time splits into the added delay (release - send: the impairment's own work,
 * whose error is what a timer's lateness makes) and the crossing (receive - release: the UDP
 * send, the loopback, the receiving loop's wake-up: the same with or without a delay). Frames
 * go 5 ms apart (the loops go idle in between, as in a lab between pings), from the first.
 * Prints first the bare lateness of the event loop's scheduled tasks, then per configured
 * delay (none, 100us, 1ms, 20ms) the added delay's p10/p50/p90 and its error (p50 - D), the
 * crossing's p50 and the one-way p50. Usage (the CLI jar holds emu-link and Netty):
 *   java -cp emulator-control/target/emu.jar benchmarks/e2e/LinkDelay.java [FRAMES]
 */
public class LinkDelay {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    EventLoopGroup ga = Transports.singleThreadGroup();
    EventLoopGroup gb = Transports.singleThreadGroup();
    try {
      run(ga.next(), gb.next(), n);
    } finally {
      ga.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
      gb.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
  }

  static long pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
  }

  static void run(EventLoop la, EventLoop lb, int n) throws Exception {
    System.out.println("transport " + Transports.name() + ", " + n + " frames per delay, 5 ms apart");
    for (long d : new long[] {100_000, 1_000_000, 20_000_000}) {
      long[] late = new long[Math.min(n, 200)];
      for (int i = 0; i < late.length; i++) {
        long t0 = System.nanoTime();
        int k = i;
        la.schedule(() -> {
          late[k] = System.nanoTime() - t0 - d;
        }, d, TimeUnit.NANOSECONDS).sync();
        Thread.sleep(2);
      }
      Arrays.sort(late);
      System.out.printf("timer %6d us: runs late by p10 %d p50 %d p90 %d us%n", d / 1000, pct(late, 10) / 1000,
          pct(late, 50) / 1000, pct(late, 90) / 1000);
    }
    InetAddress lo = InetAddress.getLoopbackAddress();
    int pa;
    int pb;
    try (DatagramSocket s1 = new DatagramSocket(0, lo); DatagramSocket s2 = new DatagramSocket(0, lo)) {
      pa = s1.getLocalPort();
      pb = s2.getLocalPort();
    }
    UdpLinkEndpoint a = new UdpLinkEndpoint("a", new InetSocketAddress(lo, pa), new InetSocketAddress(lo, pb), 1500);
    UdpLinkEndpoint b = new UdpLinkEndpoint("b", new InetSocketAddress(lo, pb), new InetSocketAddress(lo, pa), 1500);
    a.open(la).sync();
    b.open(lb).sync();
    BlockingQueue<long[]> times = new LinkedBlockingQueue<>();
    b.receiver(f -> {
      long now = System.nanoTime();
      long sent = f.getLong(f.readerIndex() + 14);
      long released = f.getLong(f.readerIndex() + 22);
      times.add(new long[] {released - sent, now - released, now - sent});
      f.release();
    });
    EventLoopTime time = new EventLoopTime(la);
    ImpairedEndpoint link = la.submit(() -> new ImpairedEndpoint(new Stamp(a), time, 1)).get();
    for (String delay : new String[] {"none", "100us", "1ms", "20ms"}) {
      Impairment imp = delay.equals("none") ? Impairment.NONE
          : ImpairmentParser.apply(Impairment.NONE, Map.of("delay", delay));
      la.submit(() -> link.impairment(imp)).get();
      long[] added = new long[n];
      long[] crossing = new long[n];
      long[] oneWay = new long[n];
      for (int i = 0; i < n; i++) {
        la.execute(() -> {
          ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer(64);
          f.writeZero(14).writeLong(System.nanoTime()).writeZero(50);
          link.send(f);
        });
        long[] x = times.poll(2, TimeUnit.SECONDS);
        if (x == null) {
          throw new IllegalStateException("frame " + i + " lost at delay " + delay);
        }
        added[i] = x[0];
        crossing[i] = x[1];
        oneWay[i] = x[2];
        Thread.sleep(5);
      }
      long firstError = added[0] - imp.delayNanos();
      Arrays.sort(added);
      Arrays.sort(crossing);
      Arrays.sort(oneWay);
      System.out.printf("link %-5s added p10 %d p50 %d p90 %d us, error p50 %+d us (first frame %+d us);"
          + " crossing p50 %d us; one-way p50 %d us%n", delay, pct(added, 10) / 1000, pct(added, 50) / 1000,
          pct(added, 90) / 1000, (pct(added, 50) - imp.delayNanos()) / 1000, firstError / 1000,
          pct(crossing, 50) / 1000, pct(oneWay, 50) / 1000);
    }
  }

  /** Between the impairment and the UDP endpoint: writes the release time into the frame. */
  record Stamp(LinkEndpoint inner) implements LinkEndpoint {
    @Override
    public void send(ByteBuf frame) {
      frame.setLong(frame.readerIndex() + 22, System.nanoTime());
      inner.send(frame);
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public int mtu() {
      return inner.mtu();
    }

    @Override
    public void receiver(FrameReceiver receiver) {
      inner.receiver(receiver);
    }

    @Override
    public LinkCounters counters() {
      return inner.counters();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
