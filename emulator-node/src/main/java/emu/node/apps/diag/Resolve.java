package emu.node.apps.diag;

import emu.node.dns.DnsLookup;
import emu.node.dns.DnsReply;
import emu.node.dns.Nameserver;
import emu.node.dns.StubResolver;
import emu.node.shell.Args;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@code resolve}: looks a name up and prints the answer in dig's shape (header, question,
 * answer, authority and additional sections, query time, server). Without {@code @SERVER},
 * {@code +tcp}, {@code +bufsize}, {@code -4} or {@code -6} it goes the way an application's
 * lookup goes (hosts table, cache, the node's DNS servers) and says when the answer came from
 * the hosts table or the cache; with them it asks directly, as dig does (nothing from, nor into,
 * the cache): the server named ({@code @192.168.5.53}, {@code @2001:db8:5::53},
 * {@code @fe80::53%eth0} or a hosts-table name), else the node's servers in order; {@code -4}
 * and {@code -6} keep to one family's transport, as dig's options do. Exit status as dig's: 0
 * when a server answered (whatever its rcode), 9 when none did.
 */
public final class Resolve implements Command {
  private static final Map<String, Integer> TYPES = new LinkedHashMap<>();

  static {
    for (int t : new int[] {Type.A, Type.AAAA, Type.MX, Type.TXT, Type.NS, Type.SOA, Type.PTR, Type.CNAME, Type.SRV}) {
      TYPES.put(Type.string(t), t);
    }
  }

  private final StubResolver resolver;

  public Resolve(StubResolver resolver) {
    this.resolver = resolver;
  }

  @Override
  public String name() {
    return "resolve";
  }

  @Override
  public String summary() {
    return "resolve NAME [-t A|AAAA|MX|TXT|NS|SOA|PTR|CNAME|SRV] [@SERVER] [-4|-6] [+tcp] [+bufsize=N]"
        + " | resolve -x ADDRESS";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    Args a = Args.parse(argv, List.of("-t", "-x"), List.of("-h", "--help", "-4", "-6"));
    if (a.flag("-h") || a.flag("--help")) {
      io.out("usage: " + summary());
      io.out("  without @SERVER: the hosts table, then the cache, then the node's DNS server (as ping NAME does)");
      io.out("  @SERVER: ask that server directly (no hosts table, no cache), as dig does; IPv4 or IPv6");
      io.out("  -4, -6: ask over IPv4 or IPv6 only (the node's servers of that family, without @SERVER)");
      io.out("  +tcp: over TCP; +bufsize=N: advertise an EDNS UDP size of N bytes; -x: reverse (PTR) lookup");
      io.exit(0);
      return;
    }
    String name = null;
    Integer type = a.value("-t") == null ? null : type(a.value("-t"));
    if (a.flag("-4") && a.flag("-6")) {
      throw new UsageException("give -4 or -6, not both");
    }
    Boolean family6 = a.flag("-6") ? Boolean.TRUE : a.flag("-4") ? Boolean.FALSE : null;
    Nameserver server = null;
    boolean tcp = false;
    int edns = 0;
    for (String w : a.positional()) {
      if (w.startsWith("@")) {
        server = serverAddress(w.substring(1), family6);
      } else if (w.equals("+tcp") || w.equals("+vc")) {
        tcp = true;
      } else if (w.startsWith("+bufsize=")) {
        edns = bufsize(w.substring("+bufsize=".length()));
      } else if (w.startsWith("+")) {
        throw new UsageException("unknown option " + w);
      } else if (name != null && type == null && TYPES.containsKey(w.toUpperCase(Locale.ROOT))) {
        type = TYPES.get(w.toUpperCase(Locale.ROOT)); // dig habit: resolve corp.com MX
      } else if (name == null) {
        name = w;
      } else {
        throw new UsageException("usage: " + summary());
      }
    }
    if (a.value("-x") != null) {
      if (name != null) {
        throw new UsageException("give either NAME or -x ADDRESS");
      }
      try {
        name = ReverseMap.fromAddress(a.value("-x")).toString(true);
      } catch (java.net.UnknownHostException e) {
        throw new UsageException("-x needs an address, not '" + a.value("-x") + "'");
      }
      type = type == null ? Type.PTR : type;
    }
    if (name == null) {
      throw new UsageException("usage: " + summary());
    }
    try {
      Name.fromString(name, Name.root);
    } catch (TextParseException e) {
      throw new UsageException("'" + name + "' is not a valid domain name: " + e.getMessage());
    }
    int qtype = type == null ? Type.A : type;
    String shown = name;
    boolean[] cancelled = new boolean[1];
    boolean[] answered = new boolean[1];
    io.onCancel(() -> {
      if (!answered[0]) {
        cancelled[0] = true;
        io.exit(1);
      }
    });
    java.util.function.Consumer<DnsLookup> print = l -> {
      answered[0] = true;
      if (!cancelled[0]) {
        print(shown, qtype, l, io);
      }
    };
    if (server != null || tcp || edns > 0 || family6 != null) {
      List<Nameserver> servers = server != null ? List.of(server) : resolver.nameservers().stream()
          .filter(ns -> family6 == null || ns.isV6() == family6).toList();
      if (servers.isEmpty()) {
        io.out(";; no " + (family6 == null ? "" : family6 ? "IPv6 " : "IPv4 ")
            + "DNS server is configured on this node; name one with @SERVER");
        io.exit(9);
        return;
      }
      resolver.query(name, qtype, servers, tcp, edns, print);
    } else {
      resolver.lookup(name, qtype, print);
    }
  }

  private static int type(String t) {
    Integer v = TYPES.get(t.toUpperCase(Locale.ROOT));
    if (v == null) {
      throw new UsageException("unknown type " + t + " (one of " + String.join(", ", TYPES.keySet()) + ")");
    }
    return v;
  }

  /**
   * The server {@code @s} names: an address of either family ({@code fe80::53%eth0} with its
   * interface; brackets allowed), or a hosts-table name, of the family {@code -4}/{@code -6}
   * asks for ({@code family6}; null: IPv4 first, as dig's default).
   */
  private Nameserver serverAddress(String s, Boolean family6) {
    String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    Nameserver ns = null;
    if (t.indexOf(':') >= 0 || emu.node.wire.Ipv4Address.isValid(t)) {
      try {
        ns = Nameserver.parse(t);
      } catch (IllegalArgumentException e) {
        throw new UsageException("@" + s + ": " + e.getMessage());
      }
    } else {
      Integer v4 = Boolean.TRUE.equals(family6) ? null : resolver.hosts().resolve(t);
      Ipv6Address v6 = Boolean.FALSE.equals(family6) ? null : resolver.hosts().resolve6(t);
      if (v4 != null) {
        ns = Nameserver.of(v4);
      } else if (v6 != null) {
        ns = new Nameserver(IpAddress.of(v6), null);
      }
      if (ns == null) {
        throw new UsageException("@" + s + ": give the server as an address or a name of the hosts table"
            + (family6 == null ? "" : " with an " + (family6 ? "IPv6" : "IPv4") + " address"));
      }
    }
    if (family6 != null && ns.isV6() != family6) {
      throw new UsageException("@" + s + " is an " + (ns.isV6() ? "IPv6" : "IPv4") + " address, and "
          + (family6 ? "-6" : "-4") + " asks over " + (family6 ? "IPv6" : "IPv4") + " only");
    }
    return ns;
  }

  private static int bufsize(String v) {
    try {
      int n = Integer.parseInt(v);
      if (n >= 512 && n <= 65535) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new UsageException("+bufsize needs a size from 512 to 65535 bytes, not '" + v + "'");
  }

  private void print(String name, int type, DnsLookup l, CommandIo io) {
    io.out("; <<>> resolve <<>> " + name + " " + Type.string(type));
    DnsReply reply = l.reply();
    if (reply != null) {
      reply.notes().forEach(n -> io.out(";; " + n)); // what failed on the way, as dig says it
    }
    if (reply != null && reply.truncatedOverUdp()) {
      io.out(";; Truncated, retrying in TCP mode.");
    }
    Message m = l.message();
    if (m == null) {
      if (reply == null) {
        io.out(";; no DNS server is configured on this node, and " + name + " is not in its hosts table");
      }
      io.out(";; no servers could be reached");
      io.exit(9);
      return;
    }
    io.out(";; Got answer:");
    Header h = m.getHeader();
    io.out(";; ->>HEADER<<- opcode: " + Opcode.string(h.getOpcode()) + ", status: " + Rcode.string(m.getRcode())
        + ", id: " + h.getID());
    List<String> flags = new ArrayList<>();
    int[] order = {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD};
    for (int f : order) {
      if (h.getFlag(f)) {
        flags.add(Flags.string(f));
      }
    }
    io.out(";; flags: " + String.join(" ", flags) + "; QUERY: " + m.getSection(Section.QUESTION).size() + ", ANSWER: "
        + m.getSection(Section.ANSWER).size() + ", AUTHORITY: " + m.getSection(Section.AUTHORITY).size()
        + ", ADDITIONAL: " + m.getSection(Section.ADDITIONAL).size());
    io.out("");
    OPTRecord opt = m.getOPT();
    if (opt != null) {
      io.out(";; OPT PSEUDOSECTION:");
      io.out("; EDNS: version: " + opt.getVersion() + ", flags:; udp: " + opt.getPayloadSize());
      io.out("");
    }
    io.out(";; QUESTION SECTION:");
    for (Record q : m.getSection(Section.QUESTION)) {
      io.out(";" + q.getName() + "\t\t" + DClass.string(q.getDClass()) + "\t" + Type.string(q.getType()));
    }
    io.out("");
    String[] titles = {null, ";; ANSWER SECTION:", ";; AUTHORITY SECTION:", ";; ADDITIONAL SECTION:"};
    for (int s = Section.ANSWER; s <= Section.ADDITIONAL; s++) {
      List<Record> rrs = new ArrayList<>();
      for (Record r : m.getSection(s)) {
        if (r.getType() != Type.OPT) {
          rrs.add(r);
        }
      }
      if (!rrs.isEmpty()) {
        io.out(titles[s]);
        rrs.forEach(r -> io.out(line(r)));
        io.out("");
      }
    }
    switch (l.source()) {
      case HOSTS -> {
        io.out(";; Query time: 0 msec");
        io.out(";; SERVER: hosts table");
        io.out(";; From this node's hosts table; no DNS query sent");
      }
      case CACHE -> {
        io.out(";; Query time: 0 msec");
        io.out(";; SERVER: " + resolver.nameservers().get(0) + "#53(cache)");
        io.out(";; From this node's cache, stored " + l.cacheAgeSeconds()
            + " s ago (TTLs counted down); no DNS query sent");
      }
      default -> {
        io.out(";; Query time: " + reply.elapsedNanos() / 1_000_000 + " msec");
        io.out(";; SERVER: " + reply.server() + "#53(" + (reply.tcp() ? "tcp" : "udp") + ")");
        io.out(";; MSG SIZE  rcvd: " + m.numBytes());
      }
    }
    io.exit(0);
  }

  /** A record as dig prints it: dnsjava's line, an AAAA's address compressed as dig writes it (RFC 5952). */
  static String line(org.xbill.DNS.Record r) {
    String text = r.toString();
    if (r instanceof org.xbill.DNS.AAAARecord a) {
      String full = r.rdataToString();
      return text.substring(0, text.length() - full.length())
          + emu.node.wire.Ipv6Address.of(a.getAddress().getAddress());
    }
    return text;
  }
}
