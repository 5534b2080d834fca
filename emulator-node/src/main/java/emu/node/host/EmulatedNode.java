package emu.node.host;

import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.capture.PcapWriter;
import emu.link.impair.Impairment;
import emu.link.impair.ImpairmentParser;
import emu.link.time.EventLoopTime;
import emu.link.time.TimeSource;
import emu.link.wire.MacAddress;
import emu.node.apps.diag.ConntrackCommand;
import emu.node.apps.diag.DhcpCommand;
import emu.node.apps.diag.HttpsGet;
import emu.node.apps.diag.IpCommand;
import emu.node.apps.diag.Ping;
import emu.node.apps.diag.Resolve;
import emu.node.apps.diag.ShowCommand;
import emu.node.apps.diag.Sleep;
import emu.node.apps.diag.SsCommand;
import emu.node.apps.diag.TcpEcho;
import emu.node.apps.diag.Traceroute;
import emu.node.apps.load.Bulk;
import emu.node.apps.load.DnsPerf;
import emu.node.apps.load.HttpsPerf;
import emu.node.apps.load.Iperf3;
import emu.node.apps.load.UdpPerf;
import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
import emu.node.bridge.stp.Rstp;
import emu.node.channel.EmuTransport;
import emu.node.config.NodeConfig;
import emu.node.config.OspfConfig;
import emu.node.dhcp.DhcpClient;
import emu.node.dhcp.DhcpRelay;
import emu.node.dhcp.DhcpServer;
import emu.node.dns.DnsServer;
import emu.node.dns.Nameserver;
import emu.node.dns.StubResolver;
import emu.node.event.LinkEvent;
import emu.node.https.HttpsServer;
import emu.node.ipv6.Ipv6Layer;
import emu.node.names.Hosts;
import emu.node.nat.Nat;
import emu.node.ospf.Ospf;
import emu.node.shell.CommandIo;
import emu.node.shell.Shell;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.tcp.TcpLayer;
import emu.node.trace.Ipv6Trace;
import emu.node.trace.JsonLinesTracer;
import emu.node.trace.StackTrace;
import emu.node.trace.TcpTrace;
import emu.node.trace.Tracer;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import emu.node.wire.Ipv4Packet;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One emulated node assembled from its {@link NodeConfig}: one {@link InterfaceLink} per
 * interface, and either an IPv4 stack (host, router) or a learning bridge (switch), plus the
 * commands {@code exec} can run and the runtime faults the control plane may set. Everything
 * lives on one event loop; every method here is called on it.
 */
public final class EmulatedNode {
  /** The DHCP server's lease file in the node's output folder, after the node's name. */
  public static final String SERVER_LEASES = ".dhcp-server.leases";
  /** The DHCP client's lease file in the node's output folder, after the node's name. */
  public static final String CLIENT_LEASES = ".dhcp-client.leases";
  private final NodeConfig config;
  private final EventLoop loop;
  private final TimeSource time;
  private final Tracer tracer;
  private final List<InterfaceLink> links = new ArrayList<>();
  private final NetworkStack stack;
  private final TcpLayer tcp;
  private final Ipv6Layer ipv6;
  private final LearningBridge bridge;
  /** The switch's spanning tree, or null (not a switch, or {@code stp: false}). */
  private final Rstp rstp;
  private final Shell shell;
  private DnsServer dnsServer;
  private DhcpServer dhcpServer;
  private DhcpRelay dhcpRelay;
  private DhcpClient dhcpClient;
  private Nat nat;
  private Ospf ospf;
  private EmuTransport transport;
  private HttpsServer httpsServer;
  private StubResolver resolver;
  private final emu.node.tls.TlsClientCounters tlsClientCounters = new emu.node.tls.TlsClientCounters();

  private EmulatedNode(NodeConfig config, EventLoop loop) throws IOException {
    this.config = config;
    this.loop = loop;
    // Test only: -Demu.test.clockSkewMs.NODE=N makes this node's wall clock N ms wrong, as a
    // host whose clock is off would be.
    this.time = new EventLoopTime(loop, Long.getLong("emu.test.clockSkewMs." + config.name(), 0) * 1_000_000);
    Path out = Path.of(config.outputDir());
    Files.createDirectories(out);
    this.tracer = config.trace()
        ? new JsonLinesTracer(out.resolve(config.name() + ".events.jsonl"), config.name(), time,
            config.traceBudget() > 0 ? config.traceBudget() : 20_000, loop)
        : Tracer.OFF;
    for (NodeConfig.Iface i : config.interfaces()) {
      links.add(InterfaceLink.of(config, i, links, out, time));
    }
    Hosts hosts = new Hosts(config.hosts(), config.hosts6());
    this.shell = new Shell(config.name());
    if (config.isSwitch()) {
      this.stack = null;
      this.tcp = null;
      this.ipv6 = null;
      SwitchAssembly.Parts parts = SwitchAssembly.assemble(config, time, tracer, links, shell);
      this.bridge = parts.bridge();
      this.rstp = parts.rstp();
    } else {
      this.bridge = null;
      this.rstp = null;
      // parents first: a subinterface's Nic is made on its parent's, and interfaces keep their order
      // (the status and metrics pair configuration index i with the stack's interface i)
      SplittableRandom random = new SplittableRandom(config.seed() ^ config.name().hashCode());
      this.stack = new NetworkStack(config.name(), time, random, secrets(config, random), StackTrace.of(tracer),
          PooledByteBufAllocator.DEFAULT, config.isRouter(), NeighborCache.Params.LINUX);
      this.tcp = new TcpLayer(stack, TcpTrace.of(tracer));
      for (InterfaceLink l : links) {
        NodeConfig.Iface c = l.config;
        Ipv4Cidr address = c.address() == null ? null : Ipv4Cidr.parse(c.address());
        if (l.parent != null) {
          l.endpoint = stack.addVlan(stack.nic(l.parent.name()), c.name(), l.vid, address).endpoint();
          continue;
        }
        Nic nic = stack.addNic(c.name(), MacAddress.parse(c.mac()).bits(), address, l.endpoint);
        nic.setUp(l.udp != null);
      }
      if (config.routes() != null) {
        for (NodeConfig.StaticRoute r : config.routes()) {
          if (r.ipv6()) {
            continue; // added with the IPv6 layer
          }
          Ipv4Cidr to = "default".equals(r.to()) ? new Ipv4Cidr(0, 0) : Ipv4Cidr.parse(r.to());
          stack.addRoute(to, Ipv4Address.parse(r.via()), r.metric());
        }
      }
      if (config.gateway() != null) {
        stack.addRoute(new Ipv4Cidr(0, 0), Ipv4Address.parse(config.gateway()), 0);
      }
      this.ipv6 = config.hasIpv6() ? ipv6(config, stack, tracer) : null;
      if (ipv6 != null) {
        tcp.attach(ipv6); // TCP over IPv6 too; a listener on :: takes both families
      }
      if (config.tcp() != null) {
        tcp.settings(tcpSettings(tcp.settings(), config.tcp()));
      }
      EmuTransport transport = new EmuTransport(loop, stack, tcp, tracer);
      // The seed's order: hosts table, then cache, then the configured DNS server.
      StubResolver resolver = new StubResolver(stack, ipv6, tcp, tracer, hosts, config.nameservers() == null
          ? List.of() : config.nameservers().stream().map(Nameserver::parse).toList(), null);
      this.resolver = resolver;
      IpCommand ipCommand = new IpCommand(stack, ipv6, resolver);
      if (config.interfaces().stream().anyMatch(c -> Boolean.TRUE.equals(c.dhcpClient()))) {
        // the lease's DNS servers, unless the topology gave the node its own
        boolean ownServers = config.nameservers() != null && !config.nameservers().isEmpty();
        dhcpClient = new DhcpClient(stack, tracer, config.name(), (nic, servers) -> {
          if (!ownServers) {
            resolver.nameservers(servers.stream().map(Nameserver::of).toList());
          }
        });
        // A static default route stays the one in use: the lease's comes behind it (Linux's DHCP
        // clients give theirs a metric, systemd-networkd 1024), there if the static one is removed.
        dhcpClient.defaultRouteMetric(DhcpClient.defaultRouteMetric(config))
            .leaseFile(out.resolve(config.name() + CLIENT_LEASES)); // as dhclient's, for INIT-REBOOT
        ipCommand.dhcp(dhcpClient);
      }
      shell.add(new Ping(stack, ipv6, tracer, resolver)).add(new Traceroute(stack, ipv6, resolver, hosts))
          .add(ipCommand).add(new Resolve(resolver)).add(new SsCommand(tcp))
          .add(new Bulk(transport, resolver)).add(new Iperf3(transport, resolver)).add(new TcpEcho(transport, resolver))
          .add(new HttpsGet(transport, resolver, config.trustPem(), Boolean.TRUE.equals(config.prewarmTls()),
              tlsClientCounters))
          .add(new DnsPerf(stack, resolver)).add(new UdpPerf(stack, resolver))
          .add(new HttpsPerf(transport, resolver, config.trustPem(), tlsClientCounters)).add(new Sleep(time));
      this.transport = transport;
      this.dnsServer = config.dns() == null ? null : DnsServer.start(stack, ipv6, tcp, tracer, config.dns());
      for (NodeConfig.Iface c : config.interfaces()) {
        if (c.dhcp() != null && !c.dhcp().relaying()) {
          if (dhcpServer == null) {
            dhcpServer = new DhcpServer(stack, tracer);
          }
          dhcpServer.serve(stack.nic(c.name()), c.dhcp());
        }
        if (c.nat() != null) {
          if (nat == null) {
            // the router's own sockets keep their ports, and its pings their identifiers: the
            // translator never maps onto them
            nat = new Nat(stack, tracer, Nat.LocalPorts.of(stack, tcp::usesPortV4));
            stack.setNat(nat);
            shell.add(new ConntrackCommand(nat));
          }
          nat.masquerade(stack.nic(c.name()), c.nat());
        }
      }
      if (dhcpServer != null) {
        // dnsmasq's lease file, beside the node's events: a restarted node gets its leases back
        dhcpServer.restore(out.resolve(config.name() + SERVER_LEASES));
      }
      for (NodeConfig.Iface c : config.interfaces()) {
        if (c.dhcp() != null && c.dhcp().relaying()) {
          if (dhcpRelay == null) {
            dhcpRelay = new DhcpRelay(stack, tracer, dhcpServer); // owns port 67, hands the server its own
          }
          dhcpRelay.relay(stack.nic(c.name()), c.dhcp().relay(), Boolean.TRUE.equals(c.dhcp().agentInfo()));
        }
      }
      if (dhcpServer != null || dhcpClient != null || dhcpRelay != null) {
        shell.add(new DhcpCommand(dhcpServer, dhcpClient, dhcpRelay));
      }
      if (config.ospf() != null && config.isRouter() && !config.ospf().interfaces().isEmpty()) {
        ospf = new Ospf(stack, ospfConfig(config.ospf())).listener(new OspfTracing(tracer));
        shell.add(new ShowCommand(ospf));
      }
    }
  }

  /** The topology's resolved settings as the protocol machine takes them. */
  static Ospf.Config ospfConfig(OspfConfig c) {
    List<Ospf.InterfaceConfig> ifs = new ArrayList<>();
    for (OspfConfig.Iface i : c.interfaces()) {
      ifs.add(new Ospf.InterfaceConfig(i.name(), i.cost(), i.hello(), i.dead(), i.priority(), i.passive(),
          OspfConfig.POINT_TO_POINT.equals(i.network()) ? Ospf.NetworkType.POINT_TO_POINT
              : Ospf.NetworkType.BROADCAST));
    }
    return new Ospf.Config(c.routerId() == null ? 0 : Ipv4Address.parse(c.routerId()), ifs);
  }

  /**
   * IPv6 on the interfaces the configuration names, with their static addresses and SLAAC where
   * asked, and the static IPv6 routes. A route without a metric gets 1024, as Linux gives one
   * added without (IP6_RT_PRIO_USER); the on-link prefixes have 256.
   */
  private static Ipv6Layer ipv6(NodeConfig config, NetworkStack stack, Tracer tracer) {
    Ipv6Layer layer = new Ipv6Layer(stack, Ipv6Trace.of(tracer));
    for (NodeConfig.Iface c : config.interfaces()) {
      if (c.ipv6()) {
        List<Ipv6Cidr> statics = c.addresses6() == null ? List.of()
            : c.addresses6().stream().map(Ipv6Cidr::parse).toList();
        layer.enable(stack.nic(c.name()), statics, Boolean.TRUE.equals(c.slaac()));
      }
    }
    if (config.routes() != null) {
      for (NodeConfig.StaticRoute r : config.routes()) {
        if (r.ipv6()) {
          Ipv6Cidr to = "default".equals(r.to()) ? new Ipv6Cidr(Ipv6Address.UNSPECIFIED, 0) : Ipv6Cidr.parse(r.to());
          route6(layer, stack, to, r.via(), r.metric() == 0 ? 1024 : r.metric());
        }
      }
    }
    if (config.gateway6() != null) {
      route6(layer, stack, new Ipv6Cidr(Ipv6Address.UNSPECIFIED, 0), config.gateway6(), 1024);
    }
    return layer;
  }

  /** A route via {@code via}: an address, or a link-local one with its interface (fe80::1%eth0). */
  private static void route6(Ipv6Layer layer, NetworkStack stack, Ipv6Cidr to, String via, int metric) {
    int pct = via.indexOf('%');
    Nic nic = null;
    if (pct >= 0) {
      nic = stack.nic(via.substring(pct + 1));
      if (nic == null) {
        throw new IllegalArgumentException("route to " + to + " via " + via + ": no interface " + via.substring(pct + 1));
      }
    }
    layer.addRoute(to, Ipv6Address.parse(pct < 0 ? via : via.substring(0, pct)), nic, metric);
  }

  /**
   * The node's TCP settings from its configuration words (congestion, retries, syncookies on|off,
   * max-connections, max-connections-per-listener), checked by the control plane.
   */
  private static emu.node.tcp.TcpSettings tcpSettings(emu.node.tcp.TcpSettings s, Map<String, String> words) {
    if (words.containsKey("congestion")) {
      s = s.withCongestion(words.get("congestion"));
    }
    if (words.containsKey("retries")) {
      s = s.withRetries(Integer.parseInt(words.get("retries")), s.synRetries());
    }
    if (words.containsKey("syncookies")) {
      s = s.withSynCookies("on".equals(words.get("syncookies")));
    }
    String perNode = words.get("max-connections");
    String perListener = words.get("max-connections-per-listener");
    if (perNode != null || perListener != null) {
      s = s.withConnectionCaps(perListener == null ? s.maxConnectionsPerListener() : Integer.parseInt(perListener),
          perNode == null ? s.maxConnections() : Integer.parseInt(perNode));
    }
    return s;
  }

  /** Builds the node; configuration errors throw {@link IllegalArgumentException} with the reason. */
  public static EmulatedNode create(NodeConfig config, EventLoop loop) throws IOException {
    return new EmulatedNode(config, loop);
  }

  /**
   * The source of the node's secrets ({@link NetworkStack#secrets()}): {@code random} itself
   * in a lab started with {@code --seed} (a reproducible run, and predictable on purpose), else
   * a CSPRNG: a SplittableRandom's outputs give its state away, and with it every later DNS ID,
   * port and ISN key (RFC 5452 10, RFC 6528 3).
   */
  static RandomGenerator secrets(NodeConfig config, RandomGenerator random) {
    return Boolean.FALSE.equals(config.seeded()) ? NetworkStack.secureRandom() : random;
  }

  /**
   * Binds every link socket (from any thread but the loop's). A port that is taken (another
   * program took it while the node was down, say) is not fatal unless it must not move
   * ({@link NodeConfig.Iface#fixedPort}): the link binds a port the kernel picks on the same
   * address instead, says so on {@code warn}, and the node reports the port on
   * its READY line, for the control plane to tell the peer. Fails with a message naming the node,
   * interface and address if even that cannot be bound (the address is not the machine's).
   */
  public void open(java.util.function.Consumer<String> warn) throws IOException {
    for (InterfaceLink l : links) {
      if (l.udp == null) {
        continue;
      }
      ChannelFuture f = l.udp.open(loop).awaitUninterruptibly();
      boolean mayMove = !Boolean.TRUE.equals(l.config.fixedPort());
      if (!f.isSuccess() && mayMove && emu.link.tunnel.Transports.addressInUse(f.cause())) {
        java.net.InetSocketAddress planned = emu.node.config.HostPort.parse(l.config.bind());
        ChannelFuture again = l.udp.open(loop, new java.net.InetSocketAddress(planned.getAddress(), 0))
            .awaitUninterruptibly();
        if (again.isSuccess()) {
          warn.accept("node " + config.name() + ": UDP " + l.config.bind() + " for " + l.name() + " is taken ("
              + f.cause().getMessage() + "); bound port " + l.udp.localAddress().getPort() + " instead");
          continue;
        }
      }
      if (!f.isSuccess()) {
        throw new IOException("node " + config.name() + ": cannot bind UDP " + l.config.bind() + " for "
            + l.name() + ": " + f.cause().getMessage() + (mayMove ? "" : " (this port must not move: the topology "
            + "pins it, or the link's peer is a linux node or an external program)"), f.cause());
      }
    }
  }

  /** {@link #open(java.util.function.Consumer)}, moved ports told on standard error. */
  public void open() throws IOException {
    open(System.err::println);
  }

  /** " links=eth0:P,eth1:Q": the UDP port each linked interface bound, for the READY line. */
  public String linkPorts() {
    List<String> ports = new ArrayList<>();
    for (InterfaceLink l : links) {
      if (l.udp != null) {
        ports.add(l.name() + ":" + l.udp.localAddress().getPort());
      }
    }
    return ports.isEmpty() ? "" : " links=" + String.join(",", ports);
  }

  /**
   * Sends to and accepts from {@code port} (same address) on an interface's link from now on:
   * the peer restarted and its old port was taken. Frames from the old port are then dropped and
   * counted as not from the peer.
   */
  public void peerPort(String iface, int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port " + port + " outside 1..65535");
    }
    InterfaceLink l = linked(iface);
    if (l.udp == null) {
      throw new IllegalArgumentException("interface " + config.name() + ":" + iface + " has no UDP tunnel peer");
    }
    java.net.InetSocketAddress old = l.udp.peer();
    l.udp.peer(new java.net.InetSocketAddress(old.getAddress(), port));
  }

  /** Starts the protocols (gratuitous ARP), the configured services and periodic housekeeping. */
  public void start() {
    if (stack != null) {
      stack.start();
      if (dhcpClient != null) {
        for (NodeConfig.Iface c : config.interfaces()) {
          if (Boolean.TRUE.equals(c.dhcpClient())) {
            dhcpClient.add(stack.nic(c.name()));
          }
        }
      }
      if (ospf != null) {
        ospf.start(); // protocol 89, the groups, the first Hellos
      }
      if (ipv6 != null) {
        ipv6.start(); // duplicate address detection, then router solicitation or advertisement
      }
      if (config.https() != null) {
        httpsServer = HttpsServer.start(transport, config.https(), tracer);
      }
      if (config.services() != null) {
        for (String service : config.services()) {
          // "bulk" runs "bulk server", "tcpecho" runs "tcpecho server", "iperf3" runs "iperf3 -s": they
          // listen in the background.
          shell.run(service.equals("iperf3") ? List.of(service, "-s") : List.of(service, "server"), new CommandIo() {
            @Override
            public void out(String line) {
              System.out.println(config.name() + ": " + line);
            }

            @Override
            public void exit(int code) {
              if (code != 0) {
                System.out.println(config.name() + ": service " + service + " did not start (status " + code + ")");
              }
            }

            @Override
            public void onCancel(Runnable action) {}
          });
        }
      }
    }
    if (bridge != null) {
      loop.scheduleAtFixedRate(bridge::expire, 30, 30, TimeUnit.SECONDS);
    }
    if (rstp != null) {
      loop.execute(rstp::start); // every port an edge port, forwarding at once; the first BPDUs
    }
  }

  /** Closes sockets and flushes captures and events. */
  public void close() {
    if (dhcpClient != null) {
      dhcpClient.stop(); // RELEASE, written before the links close
    }
    if (nat != null) {
      nat.sweep(); // the lapsed mappings told before the events close
    }
    if (ospf != null) {
      ospf.stop();
    }
    closeLinks();
  }

  /**
   * Stops the node as a crash would, where its JVM goes on hosting other nodes: sockets closed at
   * once and nothing said on the way out (no DHCP RELEASE, no OSPF withdrawal, no TCP reset). Its
   * captures and events are flushed, which a killed process could not do, but which a user
   * looking at the lab afterwards wants.
   */
  public void abort() {
    closeLinks();
  }

  private void closeLinks() {
    if (rstp != null) {
      rstp.stop(); // no more BPDUs from a node that stopped (its loop may live on, hosting others)
    }
    links.forEach(l -> l.endpoint.close());
    links.stream().map(l -> l.pcap).filter(Objects::nonNull).forEach(PcapWriter::close);
    tracer.flush();
    if (tracer instanceof JsonLinesTracer j) {
      j.close();
    }
  }

  /** The interface called {@code name}; {@link IllegalArgumentException} naming the ones there are. */
  private InterfaceLink link(String name) {
    for (InterfaceLink l : links) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    throw new IllegalArgumentException("node " + config.name() + " has no interface " + name + " (it has: "
        + String.join(", ", links.stream().map(InterfaceLink::name).toList()) + ")");
  }

  /**
   * Changes only the named impairment parameters of an interface's egress (tc-netem words).
   * Bad words or values throw {@link IllegalArgumentException}, and nothing changes.
   */
  public Impairment impair(String iface, Map<String, String> words) {
    InterfaceLink l = linked(iface);
    Impairment next = ImpairmentParser.apply(l.impaired.impairment(), words);
    l.impaired.impairment(next);
    if (tracer.enabled()) {
      tracer.emit(new LinkEvent.Impairment(iface, next.toWords()));
    }
    return next;
  }

  /** Removes every impairment of an interface's egress. */
  public void clearImpairment(String iface) {
    linked(iface).impaired.impairment(Impairment.NONE);
    if (tracer.enabled()) {
      tracer.emit(new LinkEvent.Impairment(iface, Map.of()));
    }
  }

  /**
   * Sets an interface's link state, as losing or regaining carrier: down drops everything
   * both ways and forgets the neighbours (or, on a switch, the MACs learned) behind it; up
   * announces the node again with a gratuitous ARP.
   */
  public void setLinkUp(String iface, boolean up) {
    InterfaceLink l = linked(iface);
    if (stack != null) {
      stack.setLinkUp(stack.nic(iface), up);
    } else {
      bridge.setPortUp(bridge.port(iface), up);
    }
    if (tracer.enabled()) {
      tracer.emit(new LinkEvent.State(l.name(), up));
      for (InterfaceLink sub : links) {
        if (sub.parent == l) {
          tracer.emit(new LinkEvent.State(sub.name(), up)); // its VLAN devices have its carrier
        }
      }
    }
  }

  private InterfaceLink linked(String iface) {
    InterfaceLink l = link(iface);
    if (l.parent != null) {
      throw new IllegalArgumentException("interface " + config.name() + ":" + iface + " is a VLAN subinterface of "
          + l.parent.name() + ", whose link carries it: name " + config.name() + ":" + l.parent.name());
    }
    if (l.impaired == null) {
      throw new IllegalArgumentException("interface " + config.name() + ":" + iface + " is not linked");
    }
    return l;
  }

  /**
   * The live tap of a linked interface, to which captures attach; {@link IllegalArgumentException}
   * if there is no such interface or it is not linked.
   */
  public emu.link.capture.LiveTap tap(String iface) {
    return linked(iface).tap;
  }

  /** Per interface: state, impairment in force (netem words) and its counters. */
  public List<Map<String, Object>> linkStates() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (InterfaceLink l : links) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("name", l.name());
      m.put("state", isUp(l) ? "UP" : "DOWN");
      if (l.impaired != null) {
        m.put("impairment", l.impaired.impairment().toWords());
        m.put("impairment_counters", l.impaired.impairmentCounters().asMap());
        m.put("live_captures", l.tap.subscribers());
      }
      out.add(m);
    }
    return out;
  }

  /** Whether interface {@code i} (configuration order) is up: linked and not set down. */
  public boolean interfaceUp(int i) {
    InterfaceLink l = links.get(i);
    return l.wire() != null && isUp(l);
  }

  private boolean isUp(InterfaceLink l) {
    if (stack != null) {
      return stack.nic(l.name()).isUp();
    }
    BridgePort p = bridge.port(l.name());
    return p != null && p.isUp();
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

  /** IPv6, or null for a switch or a node whose topology gives it none. */
  public Ipv6Layer ipv6() {
    return ipv6;
  }

  /** TCP, or null for a switch. */
  public TcpLayer tcp() {
    return tcp;
  }

  /** The switch's spanning tree, or null. */
  public Rstp rstp() {
    return rstp;
  }

  /** The bridge, or null for a host or router. */
  public LearningBridge bridge() {
    return bridge;
  }

  /**
   * The counters of what crossed each interface, in configuration order: the link endpoint's for
   * a linked interface, a VLAN subinterface's own (its tagged frames), null if not linked.
   */
  public List<LinkCounters> linkCounters() {
    return links.stream().map(l -> l.parent != null ? (l.parent.udp == null ? null : l.endpoint.counters())
        : l.udp == null ? null : l.udp.counters()).toList();
  }

  /** The parent of each interface that is a VLAN subinterface (null for the others), in configuration order. */
  public List<String> vlanParents() {
    return links.stream().map(l -> l.parent == null ? null : l.parent.name()).toList();
  }

  /** The real (innermost) endpoint of each interface, in configuration order; null if not linked. */
  public List<emu.link.tunnel.UdpLinkEndpoint> udpEndpoints() {
    return links.stream().map(l -> l.udp).toList();
  }

  /** Each interface's egress impairment, in configuration order; null if not linked. */
  public List<emu.link.impair.ImpairedEndpoint> impairedEndpoints() {
    return links.stream().map(l -> l.impaired).toList();
  }

  /** The stub resolver, or null for a switch. */
  public StubResolver resolver() {
    return resolver;
  }

  /** The DNS server this node runs, or null. */
  public DnsServer dnsServer() {
    return dnsServer;
  }

  /** The address translator of this router's {@code nat:} interfaces, or null. */
  public Nat nat() {
    return nat;
  }

  /** The DHCP client of this node's {@code address: dhcp} interfaces, or null. */
  public DhcpClient dhcpClient() {
    return dhcpClient;
  }

  /** The DHCP server this node runs, or null. */
  public DhcpServer dhcpServer() {
    return dhcpServer;
  }

  /** This router's OSPF, or null. */
  public Ospf ospf() {
    return ospf;
  }

  /** The DHCP relay agent of this node's {@code dhcp: {relay: ...}} interfaces, or null. */
  public DhcpRelay dhcpRelay() {
    return dhcpRelay;
  }

  /** The HTTPS server this node runs (null before {@link #start()} or if none). */
  public HttpsServer httpsServer() {
    return httpsServer;
  }

  /** What this node's TLS clients' handshakes came to (zero on a switch). */
  public emu.node.tls.TlsClientCounters tlsClientCounters() {
    return tlsClientCounters;
  }

  /** Each interface's outermost endpoint, in configuration order. */
  public List<LinkEndpoint> endpoints() {
    return links.stream().map(l -> l.endpoint).toList();
  }
}
