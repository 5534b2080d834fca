package emu.node;

import emu.link.DisconnectedEndpoint;
import emu.link.LinkEndpoint;
import emu.link.capture.CapturingEndpoint;
import emu.link.capture.PcapWriter;
import emu.link.time.EventLoopTime;
import emu.link.time.TimeSource;
import emu.link.tunnel.UdpLinkEndpoint;
import emu.link.wire.MacAddress;
import emu.node.apps.BridgeCommand;
import emu.node.apps.Hosts;
import emu.node.apps.IpCommand;
import emu.node.apps.Ping;
import emu.node.apps.Shell;
import emu.node.apps.Traceroute;
import emu.node.bridge.LearningBridge;
import emu.node.config.HostPort;
import emu.node.config.NodeConfig;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.trace.JsonLinesTracer;
import emu.node.trace.Tracer;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One emulated node assembled from its {@link NodeConfig}: UDP link endpoints (wrapped for
 * capture), and either an IPv4 stack (host, router) or a learning bridge (switch), plus the
 * commands {@code exec} can run. Everything lives on one event loop.
 */
public final class EmulatedNode {
  private final NodeConfig config;
  private final EventLoop loop;
  private final TimeSource time;
  private final Tracer tracer;
  private final List<UdpLinkEndpoint> udpEndpoints = new ArrayList<>();
  private final List<LinkEndpoint> endpoints = new ArrayList<>();
  private final List<PcapWriter> captures = new ArrayList<>();
  private final NetworkStack stack;
  private final LearningBridge bridge;
  private final Shell shell;

  private EmulatedNode(NodeConfig config, EventLoop loop) throws IOException {
    this.config = config;
    this.loop = loop;
    this.time = new EventLoopTime(loop);
    Path out = Path.of(config.outputDir());
    Files.createDirectories(out);
    this.tracer = config.trace()
        ? new JsonLinesTracer(out.resolve(config.name() + ".events.jsonl"), config.name(), time,
            config.traceBudget() > 0 ? config.traceBudget() : 20_000)
        : Tracer.OFF;
    for (NodeConfig.Iface i : config.interfaces()) {
      int mtu = i.mtu() > 0 ? i.mtu() : 1500;
      if (i.peer() == null) {
        // Declared but not linked: no cable, no socket.
        udpEndpoints.add(null);
        endpoints.add(new DisconnectedEndpoint(config.name() + ":" + i.name(), mtu));
        continue;
      }
      UdpLinkEndpoint udp = new UdpLinkEndpoint(config.name() + ":" + i.name(), HostPort.parse(i.bind()),
          HostPort.parse(i.peer()), mtu);
      udpEndpoints.add(udp);
      LinkEndpoint ep = udp;
      if (config.capture()) {
        PcapWriter pcap = new PcapWriter(out.resolve(config.name() + "-" + i.name() + ".pcap"));
        captures.add(pcap);
        ep = new CapturingEndpoint(udp, pcap, time);
      }
      endpoints.add(ep);
    }
    Hosts hosts = new Hosts(config.hosts());
    this.shell = new Shell(config.name());
    if (config.isSwitch()) {
      this.stack = null;
      this.bridge = new LearningBridge(config.name(), time, tracer, LearningBridge.DEFAULT_AGEING_NANOS);
      for (int i = 0; i < endpoints.size(); i++) {
        bridge.addPort(config.interfaces().get(i).name(), endpoints.get(i));
      }
      shell.add(new BridgeCommand(bridge, "bridge")).add(new BridgeCommand(bridge, "ip"));
    } else {
      this.bridge = null;
      SplittableRandom random = new SplittableRandom(config.seed() ^ config.name().hashCode());
      this.stack = new NetworkStack(config.name(), time, random, tracer, PooledByteBufAllocator.DEFAULT,
          config.isRouter(), NeighborCache.Params.LINUX);
      for (int i = 0; i < endpoints.size(); i++) {
        NodeConfig.Iface c = config.interfaces().get(i);
        var nic = stack.addNic(c.name(), MacAddress.parse(c.mac()).bits(),
            c.address() == null ? null : Ipv4Cidr.parse(c.address()), endpoints.get(i));
        nic.setUp(c.peer() != null);
      }
      if (config.routes() != null) {
        for (NodeConfig.StaticRoute r : config.routes()) {
          Ipv4Cidr to = "default".equals(r.to()) ? new Ipv4Cidr(0, 0) : Ipv4Cidr.parse(r.to());
          stack.addRoute(to, Ipv4Address.parse(r.via()), r.metric());
        }
      }
      if (config.gateway() != null) {
        stack.addRoute(new Ipv4Cidr(0, 0), Ipv4Address.parse(config.gateway()), 0);
      }
      shell.add(new Ping(stack, hosts)).add(new Traceroute(stack, hosts)).add(new IpCommand(stack, hosts));
    }
  }

  /** Builds the node; configuration errors throw {@link IllegalArgumentException} with the reason. */
  public static EmulatedNode create(NodeConfig config, EventLoop loop) throws IOException {
    return new EmulatedNode(config, loop);
  }

  /**
   * Binds every link socket. Fails with a message naming the node, interface and address if
   * one cannot be bound (say, the port is taken).
   */
  public void open() throws IOException {
    for (int i = 0; i < udpEndpoints.size(); i++) {
      UdpLinkEndpoint udp = udpEndpoints.get(i);
      if (udp == null) {
        continue;
      }
      ChannelFuture f = udp.open(loop).awaitUninterruptibly();
      if (!f.isSuccess()) {
        throw new IOException("node " + config.name() + ": cannot bind UDP " + config.interfaces().get(i).bind()
            + " for " + config.interfaces().get(i).name() + ": " + f.cause().getMessage(), f.cause());
      }
    }
  }

  /** Starts the protocols (gratuitous ARP) and periodic housekeeping; call on the event loop. */
  public void start() {
    if (stack != null) {
      stack.start();
    }
    loop.scheduleAtFixedRate(() -> captures.forEach(PcapWriter::flush), 200, 200, TimeUnit.MILLISECONDS);
    if (bridge != null) {
      loop.scheduleAtFixedRate(bridge::expire, 30, 30, TimeUnit.SECONDS);
    }
  }

  /** Closes sockets and flushes captures and events; call on the event loop. */
  public void close() {
    endpoints.forEach(LinkEndpoint::close);
    captures.forEach(PcapWriter::close);
    tracer.flush();
    if (tracer instanceof JsonLinesTracer j) {
      j.close();
    }
  }

  public NodeConfig config() {
    return config;
  }

  public EventLoop loop() {
    return loop;
  }

  public Shell shell() {
    return shell;
  }

  /** The IPv4 stack, or null for a switch. */
  public NetworkStack stack() {
    return stack;
  }

  /** The bridge, or null for a host or router. */
  public LearningBridge bridge() {
    return bridge;
  }

  /** One per configured interface, null where the interface is not linked. */
  public List<UdpLinkEndpoint> udpEndpoints() {
    return udpEndpoints;
  }
}
