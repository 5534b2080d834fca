package emu.node.apps.load;

import emu.node.stack.StackObserver;
import emu.node.tcp.TcpObserver;
import emu.node.tcp.TcpLayer;
import emu.link.memory.MemoryLink;
import emu.link.time.EventLoopTime;
import emu.link.tunnel.Transports;
import emu.node.channel.EmuTransport;
import emu.node.config.HttpsConfig;
import emu.node.https.HttpsServer;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.shell.Command;
import emu.node.shell.Shell;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.testing.CommandRun;
import emu.node.testing.NettyLeakLog;
import emu.node.testing.TrackingAllocator;
import emu.node.trace.Tracer;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Two nodes on one REAL single-thread event loop (as a node process runs), wired with a
 * MemoryLink: {@code pc} (10.0.0.1) runs httpsperf, {@code web} (10.0.0.2) an HttpsServer.
 * The stacks allocate from {@link TrackingAllocator}s (exact leak checks of every frame);
 * the channels' own buffers (TLS records, HTTP messages) come from Netty's pooled allocator,
 * watched by Netty's leak detector (PARANOID in this build): {@link #assertNoNettyLeaks()}
 * fails if it reported any.
 */
final class HttpsPerfLab implements AutoCloseable {
  static final String PC = "10.0.0.1";
  static final String WEB = "10.0.0.2";

  final EventLoopGroup group = Transports.singleThreadGroup();
  final EventLoop loop = group.next();
  final TrackingAllocator pcAlloc = new TrackingAllocator(true);
  final TrackingAllocator webAlloc = new TrackingAllocator(true);
  final List<HttpsServer> servers = new ArrayList<>();
  private final NettyLeakLog leaks = new NettyLeakLog();
  EmuTransport pc;
  EmuTransport web;
  private MemoryLink wire;

  HttpsPerfLab() throws Exception {
    leaks.start();
    onLoop(() -> {
      EventLoopTime time = new EventLoopTime(loop);
      wire = new MemoryLink("pc:eth0", "web:eth0", 1500, time, 100_000);
      NetworkStack sp = new NetworkStack("pc", time, new SplittableRandom(1), StackObserver.OFF, pcAlloc, false,
          NeighborCache.Params.LINUX);
      sp.addNic("eth0", 0x020000000001L, Ipv4Cidr.parse(PC + "/24"), wire.a());
      NetworkStack sw = new NetworkStack("web", time, new SplittableRandom(2), StackObserver.OFF, webAlloc, false,
          NeighborCache.Params.LINUX);
      sw.addNic("eth0", 0x020000000002L, Ipv4Cidr.parse(WEB + "/24"), wire.b());
      pc = new EmuTransport(loop, sp, new TcpLayer(sp, TcpObserver.OFF), Tracer.OFF);
      web = new EmuTransport(loop, sw, new TcpLayer(sw, TcpObserver.OFF), Tracer.OFF);
      return null;
    });
  }

  <T> T onLoop(Callable<T> c) throws Exception {
    return loop.submit(c).get(60, TimeUnit.SECONDS);
  }

  HttpsServer serve(HttpsConfig cfg) throws Exception {
    HttpsServer s = onLoop(() -> HttpsServer.start(web, cfg, Tracer.OFF));
    s.bound().sync();
    servers.add(s);
    return s;
  }

  HttpsPerf httpsperf(Map<String, String> hosts, String trustPem) {
    return new HttpsPerf(pc, new HostsResolver(new Hosts(hosts)), trustPem);
  }

  /** Starts {@code line} on the pc through a shell holding {@code cmd}. */
  CommandRun launch(Command cmd, String line) throws Exception {
    CommandRun run = new CommandRun("pc", line);
    onLoop(() -> {
      new Shell("pc").add(cmd).run(Shell.split(line), run);
      return null;
    });
    return run;
  }

  CommandRun await(CommandRun run) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!onLoop(run::exited)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(run + " did not finish; output so far:\n" + onLoop(run::output));
      }
      Thread.sleep(10);
    }
    return run;
  }

  CommandRun exec(Command cmd, String line) throws Exception {
    return await(launch(cmd, line));
  }

  /** TCP connections of a node not yet gone (TIME-WAIT included). */
  int connections(EmuTransport node) throws Exception {
    return onLoop(() -> node.tcp().connections().size());
  }

  /** Lets the garbage collector find unreleased buffers and Netty report them; fails if it did. */
  void assertNoNettyLeaks() throws Exception {
    leaks.assertNone();
  }

  @Override
  public void close() throws Exception {
    try {
      onLoop(() -> {
        servers.forEach(HttpsServer::close);
        for (EmuTransport t : new EmuTransport[] {pc, web}) {
          for (var c : t.tcp().connections()) {
            c.abort();
          }
        }
        return null;
      });
      Thread.sleep(100);
      onLoop(() -> {
        wire.close();
        return null;
      });
      Thread.sleep(50);
      for (TrackingAllocator a : new TrackingAllocator[] {pcAlloc, webAlloc}) {
        List<ByteBuf> live = onLoop(a::outstanding);
        if (!live.isEmpty()) {
          throw new AssertionError(live.size() + " stack buffer(s) still referenced:\n" + onLoop(a::describeOutstanding));
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      leaks.stop();
    }
  }
}
