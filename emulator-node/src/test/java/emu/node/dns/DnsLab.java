package emu.node.dns;

import emu.node.config.DnsConfig;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.Tap;
import emu.node.testing.VirtualLab;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The seed's corporate network with DNS: clients on 192.168.1.0/24 ask the caching forwarder
 * dns1 (192.168.1.53), which asks the authoritative server ns (192.168.5.53) behind router r1;
 * payroll.corp.com is 192.168.5.100.
 *
 * <pre>
 *  client  .1.100 ─┐
 *  client2 .1.101 ─┤
 *  dns1    .1.53  ─┼─ sw1 ── r1 (.1.1 | .5.1) ── sw5 ─┬─ ns      .5.53  (authoritative)
 *  (tap on p9)    ─┘                                  └─ payroll .5.100
 * </pre>
 */
final class DnsLab {
  static final String CLIENT_MAC = "02:00:00:01:00:64";
  static final String NS = "192.168.5.53";
  static final String FORWARDER = "192.168.1.53";

  /** corp.com: SOA TTL 300 with MINIMUM 60, so negative answers live 60 s (RFC 2308). */
  static final String CORP_ZONE = """
      $TTL 300
      @        IN SOA  ns1.corp.com. hostmaster.corp.com. ( 2026010101 3600 600 86400 60 )
               IN NS   ns1
               IN MX   10 mail
      ns1      IN A    192.168.5.53
      payroll  IN A    192.168.5.100
      mail     IN A    192.168.5.25
      www      IN CNAME web
      web      IN CNAME payroll
      v6       IN AAAA 2001:db8::100
      info     IN TXT  "payroll lives at 192.168.5.100"
      short 60 IN A    192.168.5.101
      sub      IN NS   ns.sub
      ns.sub   IN A    192.168.5.54
      *.wild   IN A    192.168.5.200
      """ + bigTxt() + manyA();

  static final String REVERSE_ZONE = """
      $TTL 300
      @    IN SOA ns1.corp.com. hostmaster.corp.com. 1 3600 600 86400 60
           IN NS  ns1.corp.com.
      53   IN PTR ns1.corp.com.
      100  IN PTR payroll.corp.com.
      """;

  /** Twelve 60-character strings: about 900 bytes, more than 512 and less than 1232. */
  static String bigTxt() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      sb.append("big      IN TXT  \"").append(String.format("%02d", i)).append("-").append("x".repeat(57))
          .append("\"\n");
    }
    return sb.toString();
  }

  /** Forty A records: about 700 bytes. */
  static String manyA() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 40; i++) {
      sb.append("many     IN A    10.0.0.").append(i).append('\n');
    }
    return sb.toString();
  }

  static DnsConfig authoritative() {
    return new DnsConfig(DnsConfig.AUTHORITATIVE, List.of(new DnsConfig.Zone("corp.com.", "corp.com.zone", CORP_ZONE),
        new DnsConfig.Zone("5.168.192.in-addr.arpa.", "192.168.5.rev", REVERSE_ZONE)), null);
  }

  final VirtualLab lab;
  final LabSwitch sw1;
  final LabSwitch sw5;
  final LabNode client;
  final LabNode client2;
  final LabNode dns1;
  final LabNode r1;
  final LabNode ns;
  final LabNode payroll;
  final Tap spare;
  final DnsServer auth;
  /** Null when the lab was built without one (dns1 is then a plain host). */
  final DnsServer forwarder;
  /** The client's stub resolver, asking dns1. */
  final StubResolver resolver;

  private DnsLab(VirtualLab lab, boolean withForwarder) {
    this.lab = lab;
    sw1 = lab.bridge("sw1");
    sw5 = lab.bridge("sw5");
    client = lab.host("client");
    client2 = lab.host("client2");
    dns1 = lab.host("dns1");
    r1 = lab.router("r1");
    ns = lab.host("ns");
    payroll = lab.host("payroll");
    lab.connect(client, "eth0", CLIENT_MAC, "192.168.1.100/24", sw1, "p1");
    lab.connect(client2, "eth0", "02:00:00:01:00:65", "192.168.1.101/24", sw1, "p2");
    lab.connect(dns1, "eth0", "02:00:00:01:00:35", "192.168.1.53/24", sw1, "p3");
    lab.connect(r1, "eth0", "02:00:00:01:00:01", "192.168.1.1/24", sw1, "p4");
    lab.connect(r1, "eth1", "02:00:00:05:00:01", "192.168.5.1/24", sw5, "p1");
    lab.connect(ns, "eth0", "02:00:00:05:00:35", "192.168.5.53/24", sw5, "p2");
    lab.connect(payroll, "eth0", "02:00:00:05:00:64", "192.168.5.100/24", sw5, "p3");
    spare = lab.tap(sw1, "p9");
    for (LabNode n : List.of(client, client2, dns1)) {
      n.defaultRoute("192.168.1.1");
    }
    ns.defaultRoute("192.168.5.1");
    payroll.defaultRoute("192.168.5.1");
    auth = lab.dnsServer(ns, authoritative());
    forwarder = withForwarder ? lab.dnsServer(dns1, new DnsConfig(DnsConfig.FORWARDER, null, NS)) : null;
    resolver = lab.nameserver(client, FORWARDER);
    lab.start();
  }

  static DnsLab start(VirtualLab lab) {
    return new DnsLab(lab, true);
  }

  /** Without the forwarder: dns1 is a host with nothing on port 53 (tests make it silent or absent). */
  static DnsLab withoutForwarder(VirtualLab lab) {
    return new DnsLab(lab, false);
  }

  /** Runs an asynchronous lookup to its end on virtual time. */
  DnsLookup await(Consumer<Consumer<DnsLookup>> start) {
    List<DnsLookup> got = new ArrayList<>();
    start.accept(got::add);
    if (!lab.runUntil(() -> !got.isEmpty(), VirtualLab.seconds(60))) {
      throw new AssertionError("no answer within 60 s of virtual time");
    }
    return got.get(0);
  }

  /** The client asks {@code server} directly (no hosts table, no cache), over UDP without EDNS. */
  DnsLookup ask(String name, int type, String server) {
    return await(cb -> resolver.query(name, type, emu.node.wire.Ipv4Address.parse(server), false, 0, cb));
  }

  /** The client looks up as an application would: hosts table, cache, dns1. */
  DnsLookup lookup(String name, int type) {
    return await(cb -> resolver.lookup(name, type, cb));
  }
}
