package emu.node.dns;

import emu.node.event.DnsEvent;
import emu.node.ipv6.Ipv6Interface;
import emu.node.ipv6.Ipv6InterfaceAddress;
import emu.node.ipv6.Ipv6Layer;
import emu.node.ipv6.Ipv6Route;
import emu.node.names.Hosts;
import emu.node.names.NameResolver;
import emu.node.stack.NetworkStack;
import emu.node.tcp.TcpLayer;
import emu.node.trace.Tracer;
import emu.node.wire.IpAddress;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A node's stub resolver (what getaddrinfo does on Linux), in the order the seed gives: the
 * node's hosts table, then its cache, then a query to its DNS servers over the emulated network
 * (up to three, as resolv.conf's {@code nameserver} lines, of either family: an IPv6 server is
 * asked over IPv6). Queries go out through {@link DnsClient} (random ID and source port,
 * replies checked per RFC 5452, glibc's waits and its way down the list of servers, TCP after a
 * truncated answer) and without EDNS, as glibc's stub asks by default. Answers are cached per
 * their TTLs, negative ones per RFC 2308.
 *
 * <p>Failures read as getaddrinfo's: "Name or service not known" for NXDOMAIN, NODATA or no
 * DNS server to ask; "Temporary failure in name resolution" for a timeout, SERVFAIL, REFUSED
 * or an unreachable server. Every step is a trace event when the stack traces
 * ({@link emu.node.event.DnsEvent}: {@code dns.hosts}, {@code dns.cache_miss}, {@code dns.query},
 * {@code dns.answer}, {@code dns.cache}, {@code dns.resolve}, ...).
 *
 * <p>Runs on the node's event loop. Answers from the hosts table or the cache arrive during the
 * call; answers from a server arrive later.
 */
public final class StubResolver implements NameResolver {
  public static final int CACHE_ENTRIES = 1_000;
  /** Longest a positive answer is kept, seconds (a day). */
  public static final long MAX_TTL = 86_400;
  /** Longest a negative answer is kept, seconds (three hours, RFC 2308 5). */
  public static final long MAX_NEGATIVE_TTL = 3 * 3_600;

  private record Key(Name name, int type) {}

  private final NetworkStack stack;
  /** The node's IPv6, or null: AAAA is asked only when it has a global address (AI_ADDRCONFIG). */
  private final Ipv6Layer ipv6;
  private final Tracer tracer;
  private final Hosts hosts;
  private List<Nameserver> nameservers;
  private final ResolverCounters counters = new ResolverCounters();
  private final DnsCache cache;
  private final DnsClient client;
  private final Map<Key, List<Consumer<DnsLookup>>> inFlight = new HashMap<>();

  /**
   * @param hosts the node's hosts table (consulted first, for A lookups)
   * @param nameserver the DNS server to ask, an IPv4 address as an int; 0 for none (then only
   *     the hosts table answers, as before DNS existed)
   */
  public StubResolver(NetworkStack stack, TcpLayer tcp, Tracer tracer, Hosts hosts, int nameserver) {
    this(stack, null, tcp, tracer, hosts, one(nameserver), null);
  }

  /** A node with IPv6 ({@code ipv6} null: without). */
  public StubResolver(NetworkStack stack, Ipv6Layer ipv6, TcpLayer tcp, Tracer tracer, Hosts hosts, int nameserver) {
    this(stack, ipv6, tcp, tracer, hosts, one(nameserver), null);
  }

  /** @param timeoutsNanos the wait after each UDP try (its length is the number of tries) */
  public StubResolver(NetworkStack stack, TcpLayer tcp, Tracer tracer, Hosts hosts, int nameserver,
                      long[] timeoutsNanos) {
    this(stack, null, tcp, tracer, hosts, one(nameserver), timeoutsNanos);
  }

  /**
   * A node with IPv6 ({@code ipv6} null: without) asking {@code nameservers} in order (empty:
   * only the hosts table answers).
   *
   * @param timeoutsNanos the wait for each server per round (its length is the number of
   *     rounds), or null for glibc's waits
   */
  public StubResolver(NetworkStack stack, Ipv6Layer ipv6, TcpLayer tcp, Tracer tracer, Hosts hosts,
                      List<Nameserver> nameservers, long[] timeoutsNanos) {
    this.stack = Objects.requireNonNull(stack, "stack");
    this.ipv6 = ipv6;
    this.tracer = tracer;
    this.hosts = Objects.requireNonNull(hosts, "hosts");
    this.nameservers = List.copyOf(nameservers);
    this.cache = new DnsCache(stack.time(), CACHE_ENTRIES, MAX_TTL, MAX_NEGATIVE_TTL);
    this.client = new DnsClient(stack, ipv6, tcp, tracer, counters, timeoutsNanos);
  }

  private static List<Nameserver> one(int nameserver) {
    return nameserver == 0 ? List.of() : List.of(Nameserver.of(nameserver));
  }

  // =========================================================================================
  // NameResolver
  // =========================================================================================

  @Override
  public void resolve(String nameOrAddress, IntConsumer done, Consumer<String> fail) {
    if (Ipv4Address.isValid(nameOrAddress)) {
      done.accept(Ipv4Address.parse(nameOrAddress));
      return;
    }
    lookup(nameOrAddress, Type.A, l -> {
      List<Integer> addresses = l.addresses();
      if (!addresses.isEmpty()) {
        int a = addresses.get(0);
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.Resolved(nameOrAddress, Ipv4Address.format(a)));
        }
        done.accept(a);
      } else {
        String error = l.error() != null ? l.error() : DnsLookup.NOT_KNOWN;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.ResolveFailed(nameOrAddress, DnsLookup.TEMPORARY.equals(error)
              ? DnsEvent.GaiError.EAI_AGAIN : DnsEvent.GaiError.EAI_NONAME));
        }
        fail.accept(error);
      }
    });
  }

  @Override
  public void resolveAddress(String nameOrAddress, Consumer<IpAddress> done, Consumer<String> fail) {
    resolveAddresses(nameOrAddress, all -> done.accept(all.get(0)), fail);
  }

  /**
   * getaddrinfo with AF_UNSPEC: an address literal at once; else the hosts table (its entries of
   * both families, and nothing more, as the files backend answers); else A and, when this node
   * has a global IPv6 address (AI_ADDRCONFIG: and A only if it has an IPv4 address), AAAA,
   * asked together; both answers are awaited (as getaddrinfo does; RFC 8305's asynchronous
   * resolution is not modelled). The addresses come sorted as {@link #sort} says: IPv6 first
   * when the node has a usable source and a route for it, else IPv4 first.
   */
  @Override
  public void resolveAddresses(String nameOrAddress, Consumer<List<IpAddress>> done, Consumer<String> fail) {
    String s = nameOrAddress.startsWith("[") && nameOrAddress.endsWith("]")
        ? nameOrAddress.substring(1, nameOrAddress.length() - 1) : nameOrAddress;
    if (Ipv4Address.isValid(s)) {
      done.accept(List.of(IpAddress.of(Ipv4Address.parse(s))));
      return;
    }
    if (s.indexOf(':') >= 0) {
      try {
        done.accept(List.of(IpAddress.of(Ipv6Address.parse(s))));
      } catch (IllegalArgumentException e) {
        fail.accept(DnsLookup.NOT_KNOWN);
      }
      return;
    }
    Integer v4 = hosts.resolve(s);
    // AI_ADDRCONFIG: IPv6 answers only for a node that has a global IPv6 address itself
    Ipv6Address v6 = hasGlobalIpv6() ? hosts.resolve6(s) : null;
    if (v4 != null || v6 != null) {
      List<IpAddress> found = new ArrayList<>();
      if (v6 != null) {
        found.add(IpAddress.of(v6));
      }
      if (v4 != null) {
        found.add(IpAddress.of(v4));
      }
      counters.hostsHits++;
      List<IpAddress> sorted = sort(found);
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.HostsLookup(s, sorted.get(0).toString()));
      }
      emitAddresses(s, List.of("hosts"), sorted);
      done.accept(sorted);
      return;
    }
    if (tracer.enabled()) {
      tracer.emit(new DnsEvent.HostsLookup(s, null)); // not there: DNS is next, for each family asked
    }
    boolean askAaaa = hasGlobalIpv6();
    boolean askA = !askAaaa || stack.nics().stream().anyMatch(n -> n.address() != null); // AI_ADDRCONFIG
    List<DnsLookup> answers = new ArrayList<>();
    int expected = (askAaaa ? 1 : 0) + (askA ? 1 : 0);
    Consumer<DnsLookup> collect = l -> {
      answers.add(l);
      if (answers.size() < expected) {
        return;
      }
      List<IpAddress> found = new ArrayList<>();
      String error = null;
      for (DnsLookup a : answers) {
        a.addresses6().forEach(x -> found.add(IpAddress.of(x)));
        a.addresses().forEach(x -> found.add(IpAddress.of(x)));
        if (a.error() != null && (error == null || DnsLookup.TEMPORARY.equals(a.error()))) {
          error = a.error();
        }
      }
      if (found.isEmpty()) {
        String why = error != null ? error : DnsLookup.NOT_KNOWN;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.ResolveFailed(s, DnsLookup.TEMPORARY.equals(why)
              ? DnsEvent.GaiError.EAI_AGAIN : DnsEvent.GaiError.EAI_NONAME));
        }
        fail.accept(why);
        return;
      }
      List<IpAddress> sorted = sort(found);
      emitAddresses(s, askAaaa && askA ? List.of("AAAA", "A") : askAaaa ? List.of("AAAA") : List.of("A"), sorted);
      done.accept(sorted);
    };
    if (askAaaa) {
      lookup(s, Type.AAAA, true, collect);
    }
    if (askA) {
      lookup(s, Type.A, true, collect);
    }
  }

  private void emitAddresses(String name, List<String> asked, List<IpAddress> sorted) {
    if (!tracer.enabled()) {
      return;
    }
    if (ipv6 == null && sorted.size() == 1) {
      // an IPv4-only node's lookup reads as it always did
      tracer.emit(new DnsEvent.Resolved(name, sorted.get(0).toString()));
    } else {
      tracer.emit(new DnsEvent.AddressesResolved(name, asked, sorted.stream().map(IpAddress::toString).toList(),
          !sorted.get(0).isV4()));
    }
  }

  /** True if the node has a usable global IPv6 address. */
  private boolean hasGlobalIpv6() {
    if (ipv6 == null) {
      return false;
    }
    for (Ipv6Interface i : ipv6.interfaces()) {
      for (Ipv6InterfaceAddress a : i.addresses()) {
        if (a.usable() && !a.cidr().address().isLinkLocal()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The destination order of RFC 6724 section 6 as far as an emulated host needs it:
   * destinations this node cannot reach go last (rule 1: no route, or no usable source of that
   * family); then IPv6 before IPv4 (rule 6 with global unicast: ::/0 has precedence 40,
   * ::ffff:0:0/96 35); the answer's order otherwise (stable). The special prefixes RFC 6724 puts
   * after IPv4 (ULA, 6to4, Teredo) are not told apart: they sort as global IPv6, as glibc's
   * older built-in table (RFC 3484) does.
   */
  private List<IpAddress> sort(List<IpAddress> found) {
    List<IpAddress> out = new ArrayList<>(found);
    out.sort(java.util.Comparator.comparing((IpAddress a) -> !reachable(a)).thenComparing((IpAddress a) -> a.isV4()));
    return out;
  }

  private boolean reachable(IpAddress a) {
    if (a.isV4()) {
      return stack.isLocal(a.v4()) || stack.routes().lookup(a.v4()) != null;
    }
    if (ipv6 == null) {
      return false;
    }
    Ipv6Address d = a.v6();
    if (ipv6.localAddress(d) != null) {
      return true;
    }
    Ipv6Route r = ipv6.routes().lookup(d, stack.time().nanos());
    Ipv6Interface out = r == null ? null : ipv6.interfaceOf(r.nic());
    return out != null && ipv6.sourceFor(d, out) != null && !ipv6.sourceFor(d, out).cidr().address().isLinkLocal();
  }

  // =========================================================================================
  // Lookups
  // =========================================================================================

  /**
   * Looks {@code name} up as an application would: the hosts table (type A only), the cache,
   * then the configured DNS server. {@code callback} gets the whole answer and where it came
   * from; it is called exactly once.
   */
  public void lookup(String name, int type, Consumer<DnsLookup> callback) {
    lookup(name, type, false, callback);
  }

  /** {@link #lookup}, after the hosts table if {@code hostsAsked} (an AAAA and A lookup reads it once, first). */
  private void lookup(String name, int type, boolean hostsAsked, Consumer<DnsLookup> callback) {
    Name n = toName(name);
    if (n == null) {
      callback.accept(new DnsLookup(null, type, DnsLookup.Source.NONE, null, null, 0, DnsLookup.NOT_KNOWN));
      return;
    }
    String qname = DnsFacts.name(n);
    String qtype = DnsFacts.type(type);
    if (type == Type.A && !hostsAsked) {
      String plain = qname;
      Integer a = Ipv4Address.isValid(plain) ? null : hosts.resolve(plain);
      if (a != null) {
        counters.hostsHits++;
        if (tracer.enabled()) {
          tracer.emit(new DnsEvent.HostsLookup(plain, Ipv4Address.format(a)));
        }
        callback.accept(new DnsLookup(n, type, DnsLookup.Source.HOSTS, fromHosts(n, a), null, 0, null));
        return;
      }
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.HostsLookup(plain, null));
      }
    }
    DnsCache.Hit hit = cache.get(n, type, DClass.IN);
    if (hit != null) {
      counters.cacheHits++;
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.CacheHit(qname, qtype, hit.ageSeconds(), DnsFacts.response(hit.message())));
      }
      callback.accept(new DnsLookup(n, type, DnsLookup.Source.CACHE, hit.message(), null, hit.ageSeconds(),
          DnsLookup.errorFor(hit.message(), type)));
      return;
    }
    counters.cacheMisses++;
    if (tracer.enabled()) {
      tracer.emit(new DnsEvent.CacheMiss(qname, qtype));
    }
    if (nameservers.isEmpty()) {
      if (tracer.enabled()) {
        tracer.emit(new DnsEvent.NoServer(qname, qtype));
      }
      callback.accept(new DnsLookup(n, type, DnsLookup.Source.NONE, null, null, 0, DnsLookup.NOT_KNOWN));
      return;
    }
    Key key = new Key(n, type);
    List<Consumer<DnsLookup>> waiting = inFlight.get(key);
    if (waiting != null) {
      waiting.add(callback); // the same question is on its way: share its answer
      return;
    }
    waiting = new ArrayList<>();
    waiting.add(callback);
    inFlight.put(key, waiting);
    ask(n, type, nameservers, false, 0, true, l -> {
      List<Consumer<DnsLookup>> all = inFlight.remove(key);
      for (Consumer<DnsLookup> c : all) {
        c.accept(l);
      }
    });
  }

  /** {@link #query(String, int, List, boolean, int, Consumer)} to one IPv4 server. */
  public void query(String name, int type, int server, boolean tcp, int ednsPayload, Consumer<DnsLookup> callback) {
    query(name, type, List.of(Nameserver.of(server)), tcp, ednsPayload, callback);
  }

  /**
   * Asks {@code servers} directly (in order, the next when one fails), as dig does: no hosts
   * table, no cache (and the answer is not cached). {@code ednsPayload} above 0 adds an OPT
   * record advertising that UDP size.
   */
  public void query(String name, int type, List<Nameserver> servers, boolean tcp, int ednsPayload,
                    Consumer<DnsLookup> callback) {
    Name n = toName(name);
    if (n == null) {
      callback.accept(new DnsLookup(null, type, DnsLookup.Source.NONE, null, null, 0, DnsLookup.NOT_KNOWN));
      return;
    }
    ask(n, type, servers, tcp, ednsPayload, false, callback);
  }

  private void ask(Name n, int type, List<Nameserver> servers, boolean tcp, int edns, boolean useCache,
                   Consumer<DnsLookup> cb) {
    Message q = new Message(0);
    q.getHeader().setFlag(Flags.RD);
    q.addRecord(Record.newRecord(n, type, DClass.IN), Section.QUESTION);
    if (edns > 0) {
      q.addRecord(new OPTRecord(edns, 0, 0, 0), Section.ADDITIONAL);
    }
    client.query(servers, q, tcp, reply -> {
      Message m = reply.message();
      if (useCache && m != null) {
        long ttl = cache.put(m);
        if (ttl > 0 && tracer.enabled()) {
          tracer.emit(new DnsEvent.Cached(DnsFacts.name(n), DnsFacts.type(type), ttl, DnsLookup.errorFor(m, type) != null));
        }
      }
      cb.accept(new DnsLookup(n, type, DnsLookup.Source.SERVER, m, reply, 0,
          m == null ? DnsLookup.TEMPORARY : DnsLookup.errorFor(m, type)));
    });
  }

  /** The absolute name for what a user typed, or null if it is not a valid domain name. */
  static Name toName(String name) {
    if (name == null || name.isEmpty()) {
      return null;
    }
    try {
      return Name.fromString(name, Name.root);
    } catch (TextParseException e) {
      return null;
    }
  }

  /** A response as if a server had given the hosts-table entry (TTL 0: it is not DNS data). */
  private static Message fromHosts(Name n, int address) {
    Message m = new Message(0);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.AA);
    m.addRecord(Record.newRecord(n, Type.A, DClass.IN), Section.QUESTION);
    try {
      InetAddress inet = InetAddress.getByAddress(new byte[] {
          (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
      m.addRecord(new ARecord(n, DClass.IN, 0, inet), Section.ANSWER);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
    return m;
  }

  // =========================================================================================
  // Access
  // =========================================================================================

  /** Asks {@code servers} from now on (a DHCP lease's option 6 came or went), as resolv.conf rewritten. */
  public void nameservers(List<Nameserver> servers) {
    this.nameservers = List.copyOf(servers);
  }

  /** The DNS servers asked, in order; empty for none. */
  public List<Nameserver> nameservers() {
    return nameservers;
  }

  public Hosts hosts() {
    return hosts;
  }

  public DnsCache cache() {
    return cache;
  }

  public ResolverCounters counters() {
    return counters;
  }

  @Override
  public String toString() {
    return "stub resolver of " + stack.name() + (nameservers.isEmpty() ? " (hosts table only)"
        : " asking " + nameservers.stream().map(Nameserver::toString).collect(java.util.stream.Collectors.joining(", ")))
        + ", " + cache.size() + " cached answer(s)";
  }
}
