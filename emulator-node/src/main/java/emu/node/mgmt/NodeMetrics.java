package emu.node.mgmt;

import emu.link.LinkCounters;
import emu.link.impair.ImpairedEndpoint;
import emu.link.impair.ImpairmentCounters;
import emu.link.tunnel.UdpLinkEndpoint;
import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
import emu.node.bridge.StormControl;
import emu.node.bridge.VlanDrop;
import emu.node.bridge.stp.StpCounters;
import emu.node.dns.DnsServer;
import emu.node.dns.DnsServerCounters;
import emu.node.dns.ResolverCounters;
import emu.node.host.EmulatedNode;
import emu.node.https.HttpsServer;
import emu.node.ipv6.Ipv6Counters;
import emu.node.ipv6.Ipv6Layer;
import emu.node.nat.Nat;
import emu.node.nat.NatCounters;
import emu.node.ospf.Ospf;
import emu.node.ospf.OspfCounters;
import emu.node.stack.DropReason;
import emu.node.stack.NetworkStack;
import emu.node.stack.Nic;
import emu.node.stack.StackCounters;
import emu.node.tcp.TcpConnection;
import emu.node.tcp.TcpCounters;
import emu.node.tcp.TcpLayer;
import emu.node.tcp.TcpState;
import emu.node.tls.TlsClientCounters;
import emu.node.wire.Bpdu;
import emu.node.wire.OspfPacket;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.xbill.DNS.Rcode;

/**
 * A node's Prometheus meters (Micrometer). Every meter is a function of a counter the node
 * already keeps (plain fields owned by its event loop), read when {@link #scrape()} runs, on that
 * loop: the packet path neither allocates nor synchronises for metrics. Made at the first
 * scrape, so a node nobody scrapes pays nothing. Every series carries {@code lab} and
 * {@code node}; other labels take bounded values only (interface names, drop reasons, TCP states,
 * DNS response codes, TLS outcomes). The names are listed in the README's Metrics section.
 */
public final class NodeMetrics {
  /** Response codes always exported (0 if unseen); others appear once seen (at most 24). */
  private static final int COMMON_RCODES = 6;
  private static final int RCODES = 24;
  /** Per-interface drop reasons of the link endpoint (the UDP tunnel). */
  private static final List<LinkDrop> LINK_DROPS = List.of(
      new LinkDrop("not_from_peer", c -> c.rxDropNotFromPeer),
      new LinkDrop("bad_encapsulation", c -> c.rxDropBadEncapsulation),
      new LinkDrop("mtu_rx", c -> c.rxDropOversize),
      new LinkDrop("mtu_tx", c -> c.txDropOversize),
      new LinkDrop("queue_full", c -> c.txDropQueueFull),
      new LinkDrop("send_error", c -> c.txErrors));
  /** Drop reasons of the egress impairment, as the control plane's metrics name them. */
  private static final List<ImpairmentDrop> IMPAIRMENT_DROPS = List.of(
      new ImpairmentDrop("loss", c -> c.lossDrops),
      new ImpairmentDrop("down", c -> c.downDrops),
      new ImpairmentDrop("queue", c -> c.queueDrops),
      new ImpairmentDrop("mtu", c -> c.mtuDrops));

  private record LinkDrop(String reason, ToLongFunction<LinkCounters> count) {}

  private record ImpairmentDrop(String reason, ToLongFunction<ImpairmentCounters> count) {}

  private final EmulatedNode node;
  // Micrometer holds a meter's state object weakly: everything a meter reads is kept here or by the node.
  private final List<UdpLinkEndpoint> udps;
  private final List<ImpairedEndpoint> impaired;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Connections per TCP state, counted at each scrape (the listeners under LISTEN). */
  private final long[] tcpStates = new long[TcpState.values().length];
  private final boolean[] clientRcodes = new boolean[RCODES];
  private final boolean[] serverRcodes = new boolean[RCODES];

  private NodeMetrics(EmulatedNode node) {
    this.node = node;
    this.udps = node.udpEndpoints();
    this.impaired = node.impairedEndpoints();
    String lab = node.config().lab();
    registry.config().commonTags(lab == null ? Tags.of("node", node.config().name())
        : Tags.of("lab", lab, "node", node.config().name()));
    interfaces();
    drops();
    if (node.stack() != null) {
      ip(node.stack());
      if (node.ipv6() != null) {
        ipv6(node.ipv6(), node.stack().counters());
      }
      tcp(node.tcp());
      dnsClient(node.resolver().counters());
      if (node.dnsServer() != null) {
        dnsServer(node.dnsServer());
      }
      tls();
      if (node.nat() != null) {
        nat(node.nat());
      }
      if (node.ospf() != null) {
        ospf(node.ospf().counters());
      }
    } else {
      bridge(node.bridge());
    }
  }

  /**
   * Binds the meters of {@code node}, from any thread: it only registers meters over the node's
   * counters (set up when the node started) and reads none of them; {@link #scrape()} does.
   */
  public static NodeMetrics bind(EmulatedNode node) {
    return new NodeMetrics(node);
  }

  /** Prometheus' text format (version 0.0.4) of every meter now; call on the node's event loop. */
  public String scrape() {
    refresh();
    return registry.scrape();
  }

  /** The content type of {@link #scrape()}. */
  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  // ---- interfaces ----

  private void interfaces() {
    List<LinkCounters> counters = node.linkCounters();
    List<String> parents = node.vlanParents();
    for (int i = 0; i < udps.size(); i++) {
      LinkCounters c = counters.get(i);
      if (c == null) {
        continue; // not linked: nothing crosses it
      }
      String name = node.config().interfaces().get(i).name();
      Tags t = Tags.of("interface", name);
      counter("emu.interface.receive.frames", "Ethernet frames received from the link (UDP tunnel)", c,
          x -> x.rxFrames, t);
      counter("emu.interface.receive.bytes", "bytes of Ethernet frames received from the link", c, x -> x.rxBytes, t);
      counter("emu.interface.transmit.frames", "Ethernet frames sent on the link (after the egress impairment)", c,
          x -> x.txFrames, t);
      counter("emu.interface.transmit.bytes", "bytes of Ethernet frames sent on the link", c, x -> x.txBytes, t);
      for (LinkDrop d : LINK_DROPS) {
        counter("emu.interface.drops", "frames the link endpoint dropped, by reason", c,
            x -> d.count().applyAsLong(x), t.and("reason", d.reason()));
      }
      final int index = i;
      Gauge.builder("emu.interface.up", node, n -> n.interfaceUp(index) ? 1 : 0)
          .description("1 if the interface is linked and up, 0 if down").tags(t).register(registry);
      if (parents.get(i) != null) {
        // a VLAN subinterface: its frames (tag included) above; the impairment is its parent's link's
        arpEntries(i, t);
        continue;
      }
      ImpairmentCounters ic = impaired.get(i).impairmentCounters();
      counter("emu.impairment.frames", "frames offered to the interface's egress impairment", ic, x -> x.frames, t);
      counter("emu.impairment.bytes", "bytes offered to the interface's egress impairment", ic, x -> x.bytes, t);
      for (ImpairmentDrop d : IMPAIRMENT_DROPS) {
        counter("emu.impairment.drops", "frames the egress impairment dropped, by reason", ic,
            x -> d.count().applyAsLong(x), t.and("reason", d.reason()));
      }
      counter("emu.impairment.duplicated", "extra copies the impairment sent", ic, x -> x.duplicated, t);
      counter("emu.impairment.corrupted", "frames the impairment corrupted (one bit flipped)", ic,
          x -> x.corrupted, t);
      counter("emu.impairment.reordered", "frames the impairment sent ahead of earlier ones", ic,
          x -> x.reordered, t);
      counter("emu.impairment.delayed", "frames the impairment held back (delay, jitter, rate)", ic,
          x -> x.delayed, t);
      arpEntries(i, t);
    }
  }

  private void arpEntries(int i, Tags t) {
    if (node.stack() != null) {
      Nic nic = node.stack().nics().get(i);
      Gauge.builder("emu.arp.cache.entries", nic, n -> n.neighbors().size())
          .description("entries in the interface's ARP cache, whatever their state").tags(t).register(registry);
    }
  }

  // ---- drops ----

  /**
   * {@code emu_drops_total{reason}}: everything the node dropped, one series per reason: the
   * stack's reasons ({@link DropReason}), the link endpoints' and the impairments' (summed over
   * the interfaces; per interface they are in {@code emu_interface_drops_total} and
   * {@code emu_impairment_drops_total}).
   */
  private void drops() {
    String help = "packets and frames the node dropped, by reason";
    if (node.stack() != null) {
      StackCounters c = node.stack().counters();
      for (DropReason r : DropReason.values()) {
        counter("emu.drops", help, c, x -> x.drops(r), Tags.of("reason", r.label()));
      }
    } else {
      LearningBridge b = node.bridge();
      counter("emu.drops", help, b, x -> x.runts, Tags.of("reason", DropReason.RUNT.label()));
      counter("emu.drops", help, b, x -> {
        long sum = 0;
        for (BridgePort p : x.ports()) {
          sum += p.rxDropped;
        }
        return sum - x.runts - x.internalErrors().total() - x.vlanDropsTotal();
      }, Tags.of("reason", DropReason.LINK_DOWN.label()));
      if (b.vlanAware()) {
        // 802.1Q ingress filtering (each reason in emu_bridge_vlan_drops_total)
        counter("emu.drops", help, b, LearningBridge::vlanDropsTotal, Tags.of("reason", "vlan"));
      }
      counter("emu.drops", help, b, x -> x.internalErrors().total(),
          Tags.of("reason", DropReason.INTERNAL_ERROR.label()));
    }
    for (LinkDrop d : LINK_DROPS) {
      counter("emu.drops", help, udps, l -> {
        long sum = 0;
        for (UdpLinkEndpoint u : l) {
          sum += u == null ? 0 : d.count().applyAsLong(u.counters());
        }
        return sum;
      }, Tags.of("reason", d.reason()));
    }
    for (ImpairmentDrop d : IMPAIRMENT_DROPS) {
      counter("emu.drops", help, impaired, l -> {
        long sum = 0;
        for (ImpairedEndpoint e : l) {
          sum += e == null ? 0 : d.count().applyAsLong(e.impairmentCounters());
        }
        return sum;
      }, Tags.of("reason", "impairment_" + d.reason()));
    }
  }

  // ---- IPv4, ARP, ICMP ----

  private void ip(NetworkStack stack) {
    StackCounters c = stack.counters();
    Tags none = Tags.empty();
    counter("emu.ip.received.packets", "IPv4 packets received (before any check)", c, x -> x.ipReceived, none);
    counter("emu.ip.delivered.packets", "IPv4 packets delivered to this node's own protocols", c,
        x -> x.ipDelivered, none);
    counter("emu.ip.forwarded.packets", "IPv4 packets routed on to another node", c, x -> x.ipForwarded, none);
    counter("emu.ip.sent.packets", "IPv4 packets this node originated", c, x -> x.ipSent, none);
    counter("emu.icmp.errors.sent", "ICMP errors sent (unreachable, time exceeded, fragmentation needed)", c,
        x -> x.icmpErrorsSent, none);
    counter("emu.icmp.errors.rate.limited", "ICMP errors not sent because of the rate limit", c,
        x -> x.icmpRateLimited, none);
    counter("emu.arp.requests.sent", "ARP requests sent", c, x -> x.arpRequestsSent, none);
    counter("emu.arp.replies.sent", "ARP replies sent", c, x -> x.arpRepliesSent, none);
    counter("emu.arp.received", "ARP packets received", c, x -> x.arpReceived, none);
    counter("emu.arp.cache.misses", "packets that found no usable ARP entry and waited for resolution", c,
        x -> x.arpCacheMisses, none);
    Gauge.builder("emu.neighbor.queue.memory", c, x -> x.neighborQueuedBytes).baseUnit("bytes")
        .description("bytes held by packets waiting for ARP or neighbour discovery (4 MiB at most)")
        .register(registry);
  }

  // ---- NAT ----

  private void nat(Nat nat) {
    NatCounters c = nat.counters();
    String translated = "packets the NAT rewrote: out (source), in (destination), hairpin (both)";
    counter("emu.nat.translated.packets", translated, c, x -> x.translatedOut, Tags.of("direction", "out"));
    counter("emu.nat.translated.packets", translated, c, x -> x.translatedIn, Tags.of("direction", "in"));
    counter("emu.nat.translated.packets", translated, c, x -> x.hairpinned, Tags.of("direction", "hairpin"));
    counter("emu.nat.icmp.errors.translated", "ICMP errors rewritten with the packet they quote (RFC 5508)", c,
        x -> x.icmpErrors, Tags.empty());
    counter("emu.nat.mappings.created", "NAT mappings made", c, x -> x.created, Tags.empty());
    counter("emu.nat.mappings.expired", "NAT mappings removed after their idle timeout", c, x -> x.expired,
        Tags.empty());
    counter("emu.nat.mappings.flushed", "NAT mappings dropped because the outside address changed", c,
        x -> x.flushed, Tags.empty());
    Gauge.builder("emu.nat.mappings", nat, Nat::size).description("NAT mappings in the table, port forwards included")
        .register(registry);
  }

  // ---- OSPF ----

  /** Plain fields read off the event loop, as the other counters are: a scrape may be a packet behind. */
  private void ospf(OspfCounters c) {
    for (Ospf.NeighborState s : Ospf.NeighborState.values()) {
      if (s != Ospf.NeighborState.DOWN) {
        Gauge.builder("emu.ospf.neighbors", c, x -> x.neighborsInState[s.ordinal()])
            .description("OSPF neighbours by state (Full: adjacencies)").tags(Tags.of("state", s.text()))
            .register(registry);
      }
    }
    for (int t = 1; t <= 5; t++) {
      int type = t;
      Tags tags = Tags.of("type", OspfPacket.typeName(t));
      counter("emu.ospf.packets.sent", "OSPF packets sent, by type", c, x -> x.sent[type], tags);
      counter("emu.ospf.packets.received", "OSPF packets taken in, by type", c, x -> x.received[type], tags);
    }
    Tags none = Tags.empty();
    counter("emu.ospf.lsas.received", "LSAs received in LS Updates", c, x -> x.lsasReceived, none);
    counter("emu.ospf.lsas.installed", "LSA instances installed in the database", c, x -> x.lsasInstalled, none);
    counter("emu.ospf.lsas.originated", "LSAs this router originated", c, x -> x.lsasOriginated, none);
    counter("emu.ospf.lsas.flooded", "LSAs flooded out of an interface", c, x -> x.lsasFlooded, none);
    counter("emu.ospf.lsas.retransmitted", "LSAs sent again for want of an acknowledgement", c,
        x -> x.lsasRetransmitted, none);
    counter("emu.ospf.spf.runs", "SPF calculations", c, x -> x.spfRuns, none);
    counter("emu.ospf.spf.seconds", "time spent in SPF", c, x -> x.spfNanosTotal / 1e9, none);
    for (OspfCounters.Refusal r : OspfCounters.Refusal.values()) {
      counter("emu.ospf.refused", "OSPF packets or LSAs refused, by reason", c, x -> x.refused(r),
          Tags.of("reason", r.name().toLowerCase(Locale.ROOT)));
    }
  }

  // ---- IPv6, ICMPv6, neighbour discovery ----

  private void ipv6(Ipv6Layer layer, StackCounters stack) {
    Ipv6Counters c = layer.counters();
    Tags none = Tags.empty();
    counter("emu.ipv6.received.packets", "IPv6 packets received (before any check)", c, x -> x.received, none);
    counter("emu.ipv6.delivered.packets", "IPv6 packets delivered to this node's own protocols", c,
        x -> x.delivered, none);
    counter("emu.ipv6.forwarded.packets", "IPv6 packets routed on to another node", c, x -> x.forwarded, none);
    counter("emu.ipv6.sent.packets", "IPv6 packets this node originated", c, x -> x.sent, none);
    counter("emu.ipv6.multicast.filtered", "IPv6 multicast for groups the interface has not joined, set aside",
        c, x -> x.multicastFiltered, none);
    counter("emu.icmp6.errors.sent", "ICMPv6 errors sent (unreachable, packet too big, time exceeded, parameter"
        + " problem)", c, x -> x.icmpErrorsSent, none);
    counter("emu.icmp6.errors.rate.limited", "ICMPv6 errors not sent because of the rate limit", c,
        x -> x.icmpRateLimited, none);
    counter("emu.ndp.sent", "neighbour discovery messages sent, by type", c, x -> x.neighborSolicitationsSent,
        Tags.of("type", "neighbor_solicitation"));
    counter("emu.ndp.sent", "neighbour discovery messages sent, by type", c, x -> x.neighborAdvertisementsSent,
        Tags.of("type", "neighbor_advertisement"));
    counter("emu.ndp.sent", "neighbour discovery messages sent, by type", c, x -> x.routerSolicitationsSent,
        Tags.of("type", "router_solicitation"));
    counter("emu.ndp.sent", "neighbour discovery messages sent, by type", c, x -> x.routerAdvertisementsSent,
        Tags.of("type", "router_advertisement"));
    counter("emu.ndp.received", "neighbour discovery messages received", c, x -> x.ndpReceived, none);
    counter("emu.ndp.cache.misses", "packets that found no usable neighbour entry and waited for resolution", stack,
        x -> x.ndpCacheMisses, none);
    counter("emu.ipv6.duplicate.addresses", "addresses duplicate address detection found in use elsewhere", c,
        x -> x.duplicateAddresses, none);
    // fragmentation, reassembly, path MTU (RFC 4293's ReasmReqds, ReasmOKs, ReasmFails, OutFragOKs, OutFragCreates)
    counter("emu.ipv6.reassembly.fragments", "IPv6 fragments received for reassembly (ReasmReqds)", c,
        x -> x.reassemblyRequired, none);
    counter("emu.ipv6.reassembled.packets", "IPv6 packets reassembled from fragments (ReasmOKs)", c,
        x -> x.reassembled, none);
    counter("emu.ipv6.reassembly.failures", "IPv6 packets whose reassembly was given up: timed out, overlapping or"
        + " inconsistent fragments (ReasmFails)", c, x -> x.reassemblyFailed, none);
    counter("emu.ipv6.reassembly.timeouts", "IPv6 packets not complete 60 s after their first fragment", c,
        x -> x.reassemblyTimeouts, none);
    counter("emu.ipv6.atomic.fragments", "IPv6 packets with a fragment header saying they are whole (RFC 6946)", c,
        x -> x.atomicFragments, none);
    counter("emu.ipv6.fragmented.packets", "IPv6 packets this node sent in fragments (OutFragOKs)", c,
        x -> x.fragmented, none);
    counter("emu.ipv6.fragments.sent", "IPv6 fragments this node made of its packets (OutFragCreates)", c,
        x -> x.fragmentsCreated, none);
    counter("emu.ipv6.pmtu.lowered", "packet too big messages that lowered a path MTU (RFC 8201)", c,
        x -> x.pathMtuLowered, none);
    Gauge.builder("emu.ipv6.reassembly.memory", layer, Ipv6Layer::reassemblyMemory).baseUnit("bytes")
        .description("bytes held for IPv6 reassembly (fragments' buffers and queues; 4 MiB at most)")
        .register(registry);
    Gauge.builder("emu.ipv6.reassembly.queues", layer, Ipv6Layer::reassemblyQueues)
        .description("IPv6 packets being reassembled").register(registry);
  }

  // ---- TCP ----

  private void tcp(TcpLayer layer) {
    for (TcpState s : TcpState.values()) {
      if (s == TcpState.CLOSED) {
        continue;
      }
      Gauge.builder("emu.tcp.connections", tcpStates, a -> a[s.ordinal()])
          .description("TCP sockets by state (listeners under listen)")
          .tags("state", s.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    TcpCounters c = layer.counters();
    Tags none = Tags.empty();
    counter("emu.tcp.segments.received", "TCP segments received that passed the checks (InSegs)", c,
        x -> x.segmentsIn, none);
    counter("emu.tcp.segments.sent", "TCP segments sent, retransmissions included (OutSegs)", c,
        x -> x.segmentsOut, none);
    counter("emu.tcp.retransmitted.segments", "TCP segments retransmitted (RetransSegs)", c, x -> x.retransmits, none);
    counter("emu.tcp.fast.retransmits", "retransmissions after duplicate ACKs or SACK", c, x -> x.fastRetransmits,
        none);
    counter("emu.tcp.timeouts", "retransmission timer expirations", c, x -> x.timeouts, none);
    counter("emu.tcp.active.opens", "connections opened by connect (ActiveOpens)", c, x -> x.activeOpens, none);
    counter("emu.tcp.passive.opens", "connections opened by a SYN to a listener (PassiveOpens)", c,
        x -> x.passiveOpens, none);
    counter("emu.tcp.attempt.fails", "connection attempts that failed (AttemptFails)", c, x -> x.attemptFails, none);
    counter("emu.tcp.established.resets", "established connections reset by the peer (EstabResets)", c,
        x -> x.estabResets, none);
    counter("emu.tcp.resets.sent", "RST segments sent", c, x -> x.rstSent, none);
    counter("emu.tcp.listen.overflows", "SYNs dropped because a listener's backlog was full", c,
        x -> x.listenOverflows, none);
    counter("emu.tcp.syncookies.sent", "SYN cookies sent because a listener's backlog was full", c,
        x -> x.synCookiesSent, none);
    counter("emu.tcp.syncookies.validated", "ACKs whose SYN cookie was valid (a connection was made)", c,
        x -> x.synCookiesValidated, none);
    counter("emu.tcp.syncookies.failed", "ACKs to a listener whose SYN cookie was wrong or too old", c,
        x -> x.synCookiesFailed, none);
    counter("emu.tcp.connection.cap.refusals", "connections refused with RST: a per-listener or per-node cap", c,
        x -> x.connectionCapRefusals, none);
    FunctionTimer.builder("emu.tcp.rtt", c, x -> x.rttSamples, x -> x.rttSumNanos, TimeUnit.NANOSECONDS)
        .description("TCP round-trip time samples (RFC 6298, Karn's rule)").register(registry);
  }

  // ---- DNS ----

  private void dnsClient(ResolverCounters c) {
    Tags none = Tags.empty();
    counter("emu.dns.client.queries", "DNS exchanges the stub resolver started (retries not included)", c,
        x -> x.queries, none);
    counter("emu.dns.client.retries", "DNS queries sent again after a timeout", c, x -> x.retries, none);
    counter("emu.dns.client.timeouts", "DNS exchanges that ended without an answer", c, x -> x.timeouts, none);
    counter("emu.dns.client.failovers", "DNS queries moved on to the next server after one could not answer", c,
        x -> x.failovers, none);
    counter("emu.dns.client.cache.hits", "lookups answered from the resolver's cache", c, x -> x.cacheHits, none);
    counter("emu.dns.client.cache.misses", "lookups the resolver's cache could not answer", c, x -> x.cacheMisses,
        none);
    counter("emu.dns.client.hosts.hits", "lookups answered from the hosts table", c, x -> x.hostsHits, none);
    counter("emu.dns.client.spoofed", "replies ignored: ID, question, address or port did not match (RFC 5452)", c,
        x -> x.spoofed, none);
    for (int r = 0; r < COMMON_RCODES; r++) {
      clientRcode(r);
    }
  }

  private void clientRcode(int rcode) {
    clientRcodes[rcode] = true;
    counter("emu.dns.client.answers", "DNS answers the stub resolver accepted, by response code",
        node.resolver().counters(), x -> x.answers(rcode), Tags.of("rcode", rcodeLabel(rcode)));
  }

  private void dnsServer(DnsServer server) {
    DnsServerCounters c = server.counters();
    String help = "DNS messages the server received, by transport and IP family";
    counter("emu.dns.server.queries", help, c, x -> x.udpQueries - x.udp6Queries,
        Tags.of("transport", "udp", "family", "ipv4"));
    counter("emu.dns.server.queries", help, c, x -> x.udp6Queries, Tags.of("transport", "udp", "family", "ipv6"));
    counter("emu.dns.server.queries", help, c, x -> x.tcpQueries - x.tcp6Queries,
        Tags.of("transport", "tcp", "family", "ipv4"));
    counter("emu.dns.server.queries", help, c, x -> x.tcp6Queries, Tags.of("transport", "tcp", "family", "ipv6"));
    counter("emu.dns.server.dropped", "DNS messages the server did not answer", c, x -> x.dropped, Tags.empty());
    counter("emu.dns.server.truncated", "UDP answers sent truncated (TC)", c, x -> x.truncated, Tags.empty());
    if (server.upstreamCounters() != null) {
      counter("emu.dns.server.cache.hits", "questions the forwarder answered from its cache", c, x -> x.cacheHits,
          Tags.empty());
      counter("emu.dns.server.forwarded", "questions the forwarder sent upstream", c, x -> x.forwarded, Tags.empty());
      counter("emu.dns.server.upstream.failures", "upstream exchanges that failed (answered SERVFAIL)", c,
          x -> x.upstreamFailures, Tags.empty());
    }
    for (int r = 0; r < COMMON_RCODES; r++) {
      serverRcode(r);
    }
  }

  private void serverRcode(int rcode) {
    serverRcodes[rcode] = true;
    counter("emu.dns.server.responses", "DNS answers the server sent, by response code", node.dnsServer().counters(),
        x -> x.responses(rcode), Tags.of("rcode", rcodeLabel(rcode)));
  }

  private static String rcodeLabel(int rcode) {
    return Rcode.string(rcode).toLowerCase(Locale.ROOT);
  }

  // ---- TLS ----

  private void tls() {
    String help = "TLS handshakes, by side and outcome";
    TlsClientCounters c = node.tlsClientCounters();
    counter("emu.tls.handshakes", help, c, x -> x.handshakes, Tags.of("side", "client", "outcome", "success"));
    counter("emu.tls.handshakes", help, c, x -> x.failures, Tags.of("side", "client", "outcome", "failure"));
    if (node.config().https() != null) {
      // the server starts with the node, after the meters may have been bound: read it each time
      counter("emu.tls.handshakes", help, node, n -> n.httpsServer() == null ? 0 : n.httpsServer().handshakes(),
          Tags.of("side", "server", "outcome", "success"));
      counter("emu.tls.handshakes", help, node, n -> n.httpsServer() == null ? 0 : n.httpsServer().handshakeFailures(),
          Tags.of("side", "server", "outcome", "failure"));
      counter("emu.tls.handshakes", help, node, n -> n.httpsServer() == null ? 0 : n.httpsServer().notTls(),
          Tags.of("side", "server", "outcome", "not_tls"));
      counter("emu.https.requests", "HTTP requests the HTTPS server answered", node,
          n -> n.httpsServer() == null ? 0 : n.httpsServer().requests(), Tags.empty());
    }
  }

  // ---- switch ----

  private void bridge(LearningBridge b) {
    counter("emu.bridge.forwarded.frames", "frames the bridge sent out of one known port", b, x -> x.forwarded,
        Tags.empty());
    counter("emu.bridge.flooded.frames", "frames the bridge flooded (unknown, broadcast or multicast destination)", b,
        x -> x.flooded, Tags.empty());
    counter("emu.bridge.filtered.frames", "frames not forwarded: destination behind the port they came in on", b,
        x -> x.filtered, Tags.empty());
    counter("emu.bridge.fdb.overflow", "source MACs not learned because the MAC table was full", b,
        x -> x.fdbOverflow, Tags.empty());
    Gauge.builder("emu.bridge.fdb.entries", b, x -> x.fdb().size())
        .description("MAC addresses the bridge has learned").register(registry);
    counter("emu.bridge.discarded.frames", "frames dropped on a port spanning tree has discarding or learning", b,
        x -> x.discarded, Tags.empty());
    if (b.vlanAware()) {
      for (VlanDrop r : VlanDrop.values()) {
        counter("emu.bridge.vlan.drops", "frames refused at ingress by 802.1Q rules, by reason", b,
            x -> x.vlanDrops(r), Tags.of("reason", r.label()));
      }
    }
    if (b.ports().stream().anyMatch(p -> p.storm() != null)) {
      for (StormControl.Kind k : StormControl.Kind.all()) {
        counter("emu.bridge.storm.drops", "frames over a port's storm control rate, dropped at ingress", b,
            x -> x.stormDrops(k), Tags.of("kind", k.word()));
      }
    }
    if (b.stp() != null) {
      stp(b.stp().counters());
    }
  }

  private void stp(StpCounters c) {
    counter("emu.stp.bpdus", "BPDUs received", c, x -> x.bpduIn, Tags.of("direction", "in"));
    counter("emu.stp.bpdus", "BPDUs sent", c, x -> x.bpduOut, Tags.of("direction", "out"));
    counter("emu.stp.topology.changes", "topology changes detected here (a non-edge port started forwarding)", c,
        x -> x.topologyChanges, Tags.empty());
    counter("emu.stp.tc.received", "BPDUs received with a topology change (TC flag or TCN)", c, x -> x.tcReceived,
        Tags.empty());
    counter("emu.stp.port.state.changes", "port state changes (discarding, learning, forwarding)", c,
        x -> x.stateChanges, Tags.empty());
    counter("emu.stp.edge.lost", "BPDUs that arrived on an edge port, making it a non-edge port", c, x -> x.edgeLost,
        Tags.empty());
    counter("emu.stp.edge.regained", "ports that heard no BPDU for 3 s after a link up and became edge again", c,
        x -> x.edgeRegained, Tags.empty());
    counter("emu.stp.info.aged", "ports whose neighbour's information aged out (it fell silent)", c, x -> x.infoAged,
        Tags.empty());
    counter("emu.stp.internal.errors", "bugs caught in the spanning tree's one-second tick (should stay 0)", c,
        x -> x.internalErrors, Tags.empty());
    for (Bpdu.Check r : Bpdu.Check.values()) {
      if (r != Bpdu.Check.OK) {
        counter("emu.stp.bpdu.drops", "BPDUs dropped, by reason", c, x -> x.drops(r),
            Tags.of("reason", r.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
      }
    }
  }

  // ---- plumbing ----

  /** Counts what only a scrape can know (connections per state) and adds response codes first seen. */
  private void refresh() {
    java.util.Arrays.fill(tcpStates, 0);
    if (node.stack() != null) {
      TcpLayer tcp = node.tcp();
      for (TcpConnection c : tcp.connections()) {
        tcpStates[c.state().ordinal()]++;
      }
      tcpStates[TcpState.LISTEN.ordinal()] += tcp.listeners().size();
      ResolverCounters rc = node.resolver().counters();
      for (int r = COMMON_RCODES; r < RCODES; r++) {
        if (!clientRcodes[r] && rc.answers(r) > 0) {
          clientRcode(r);
        }
      }
      DnsServer server = node.dnsServer();
      for (int r = COMMON_RCODES; server != null && r < RCODES; r++) {
        if (!serverRcodes[r] && server.counters().responses(r) > 0) {
          serverRcode(r);
        }
      }
    }
  }

  private <T> void counter(String name, String help, T obj, ToDoubleFunction<T> f, Tags tags) {
    FunctionCounter.builder(name, obj, f).description(help).tags(tags).register(registry);
  }
}
