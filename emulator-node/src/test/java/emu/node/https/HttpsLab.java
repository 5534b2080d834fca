package emu.node.https;

import emu.node.trace.StackTrace;
import emu.node.trace.TcpTrace;
import emu.node.tcp.TcpLayer;
import emu.link.LinkEndpoint;
import emu.link.capture.CapturingEndpoint;
import emu.link.capture.PcapWriter;
import emu.link.memory.MemoryLink;
import emu.link.time.EventLoopTime;
import emu.link.tunnel.Transports;
import emu.node.apps.diag.HttpsGet;
import emu.node.channel.EmuTransport;
import emu.node.config.HttpsConfig;
import emu.node.names.Hosts;
import emu.node.names.HostsResolver;
import emu.node.shell.Command;
import emu.node.shell.UsageException;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.testing.CommandRun;
import emu.node.trace.MemoryTracer;
import emu.node.event.TraceEvent;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Three nodes on one REAL single-thread event loop (as a node process runs), wired with
 * MemoryLinks: {@code pc} (10.0.0.1 on eth0, 10.0.1.1 on eth1), {@code web} (10.0.0.2, the
 * real payroll server) and {@code mitm} (10.0.1.2, an impostor). Each has its own tracer. The
 * pc's hosts table decides where a name leads. Everything that touches a node runs on the loop.
 */
final class HttpsLab implements AutoCloseable {
  static final String PC = "10.0.0.1";
  static final String WEB = "10.0.0.2";
  static final String MITM = "10.0.1.2";

  final EventLoopGroup group = Transports.singleThreadGroup();
  final EventLoop loop = group.next();
  final MemoryTracer pcTrace = new MemoryTracer();
  final MemoryTracer webTrace = new MemoryTracer();
  final MemoryTracer mitmTrace = new MemoryTracer();
  final List<HttpsServer> servers = new ArrayList<>();
  EmuTransport pc;
  EmuTransport web;
  EmuTransport mitm;
  private MemoryLink toWeb;
  private MemoryLink toMitm;
  private PcapWriter pcap;

  /** @param capture if not null, the pc's eth0 is captured into this pcap file */
  HttpsLab(Path capture) throws Exception {
    onLoop(() -> {
      EventLoopTime time = new EventLoopTime(loop);
      toWeb = new MemoryLink("pc:eth0", "web:eth0", 1500, time, 200_000);
      toMitm = new MemoryLink("pc:eth1", "mitm:eth0", 1500, time, 200_000);
      LinkEndpoint pcEth0 = toWeb.a();
      if (capture != null) {
        pcap = new PcapWriter(capture);
        pcEth0 = new CapturingEndpoint(pcEth0, pcap, time);
      }
      NetworkStack sp = stack("pc", 1, time, pcTrace);
      sp.addNic("eth0", 0x020000000001L, Ipv4Cidr.parse(PC + "/24"), pcEth0);
      sp.addNic("eth1", 0x020000000101L, Ipv4Cidr.parse("10.0.1.1/24"), toMitm.a());
      NetworkStack sw = stack("web", 2, time, webTrace);
      sw.addNic("eth0", 0x020000000002L, Ipv4Cidr.parse(WEB + "/24"), toWeb.b());
      NetworkStack sm = stack("mitm", 3, time, mitmTrace);
      sm.addNic("eth0", 0x020000000102L, Ipv4Cidr.parse(MITM + "/24"), toMitm.b());
      pc = transport(sp, pcTrace);
      web = transport(sw, webTrace);
      mitm = transport(sm, mitmTrace);
      return null;
    });
  }

  private static NetworkStack stack(String name, long seed, EventLoopTime time, MemoryTracer tracer) {
    return new NetworkStack(name, time, new SplittableRandom(seed), new StackTrace(tracer),
        PooledByteBufAllocator.DEFAULT, false, NeighborCache.Params.LINUX);
  }

  private EmuTransport transport(NetworkStack stack, MemoryTracer tracer) {
    return new EmuTransport(loop, stack, new TcpLayer(stack, new TcpTrace(tracer)), tracer);
  }

  <T> T onLoop(Callable<T> c) throws Exception {
    return loop.submit(c).get(30, TimeUnit.SECONDS);
  }

  /** Starts an HTTPS server on {@code node} as a node does from its configuration, and waits until it listens. */
  HttpsServer serve(EmuTransport node, MemoryTracer tracer, HttpsConfig cfg) throws Exception {
    HttpsServer s = onLoop(() -> HttpsServer.start(node, cfg, tracer));
    s.bound().sync();
    servers.add(s);
    return s;
  }

  /** {@code https-get} on the pc, with a hosts table and the lab CA; waits for it to exit. */
  CommandRun httpsGet(Map<String, String> hosts, String trustPem, String... args) throws Exception {
    Command cmd = new HttpsGet(pc, new HostsResolver(new Hosts(hosts)), trustPem);
    return exec(cmd, args);
  }

  CommandRun exec(Command cmd, String... args) throws Exception {
    CommandRun run = new CommandRun("pc", cmd.name() + " " + String.join(" ", args));
    onLoop(() -> {
      try {
        cmd.run(List.of(args), run);
      } catch (UsageException e) {
        run.out(cmd.name() + ": " + e.getMessage());
        run.exit(2);
      }
      return null;
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!onLoop(run::exited)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(run + " did not finish; output so far:\n" + onLoop(run::output));
      }
      Thread.sleep(10);
    }
    return run;
  }

  /** The events of a tracer (copied on the loop) of {@code type} (a record, or a family). */
  <T extends TraceEvent> List<T> events(MemoryTracer t, Class<T> type) throws Exception {
    return onLoop(() -> t.of(type));
  }

  /** Waits (up to 10 s) until {@code t} holds at least {@code n} events of {@code type}; returns them. */
  <T extends TraceEvent> List<T> await(MemoryTracer t, Class<T> type, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (;;) {
      List<T> got = events(t, type);
      if (got.size() >= n) {
        return got;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited for " + n + " " + type + " events, got " + got);
      }
      Thread.sleep(10);
    }
  }

  void flushCapture() throws Exception {
    onLoop(() -> {
      pcap.flush();
      return null;
    });
  }

  @Override
  public void close() throws Exception {
    // as a node stops: services closed, connections aborted (their buffers freed), wires emptied
    onLoop(() -> {
      servers.forEach(HttpsServer::close);
      for (EmuTransport t : new EmuTransport[] {pc, web, mitm}) {
        for (var c : t.tcp().connections()) {
          c.abort();
        }
      }
      return null;
    });
    Thread.sleep(100);
    onLoop(() -> {
      toWeb.close();
      toMitm.close();
      if (pcap != null) {
        pcap.close();
      }
      return null;
    });
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
