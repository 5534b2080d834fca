package emu.node.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything one node process needs, written by the control plane as JSON into the lab's
 * state folder and read by {@link emu.node.NodeMain}. Addresses are already validated there;
 * the node still rejects what it cannot use, with a message.
 *
 * @param kind host, router or switch
 * @param outputDir where the node writes its pcaps and events
 * @param parentPid if set, the node exits when that process does (a {@code run} that dies
 *     takes its nodes with it)
 * @param tcp TCP settings: congestion (cubic, newreno), retries (tcp_retries2), syncookies (on, off),
 *     max-connections and max-connections-per-listener, or null for defaults
 * @param services services started at boot (bulk, tcpecho, iperf3), or null
 * @param nameservers the DNS servers this node's stub resolver asks, in order, as resolv.conf's
 *     {@code nameserver} lines (up to three; IPv4 or IPv6, a link-local one with its interface
 *     as {@code fe80::53%eth0}), or null for none
 * @param dns this node's DNS server role, or null
 * @param https this node's HTTPS service, or null
 * @param hosts6 name to IPv6 address entries of the hosts table (a name may also be in {@code hosts}), or null
 * @param gateway6 the IPv6 default gateway (a link-local one as fe80::1%eth0), or null: a host
 *     learns one from routers' advertisements
 * @param trustPem the certificates (PEM) this node's TLS clients trust: the lab CA
 * @param prewarmTls true to build the default TLS client context when the node starts, off the
 *     event loop (a cold JVM needs about a second for it), because the lab's scenario fetches
 *     HTTPS from this node; null or false to build it at the first use. Loading the TLS provider
 *     costs a node some 20 MB of memory, which nodes that never speak TLS should not pay.
 * @param ospf a router's OSPFv2, or null
 * @param seeded false when the lab was started without {@code --seed}: DNS IDs and ports, TCP
 *     ISNs and other secrets then come from a CSPRNG, and only the rest (timers' jitter,
 *     impairments) from {@code seed}; true or null: everything from {@code seed}, reproducibly
 * @param macTableSize a switch's MAC table size limit (entries), or null for the bridge's default
 * @param hostsFile the lab's name table ({@link HostsTable}), relative to this file's folder or
 *     absolute, or null: {@code hosts} and {@code hosts6} are then the whole table (as configurations
 *     written by hand, and by emu before the table was shared, have it). When set, those two hold
 *     only the node's own entries, merged over the file's by {@link #read}, which fails naming the
 *     file if it is missing or bad, so that a node stops at start rather than lacking names later.
 * @param stp a switch's spanning tree settings, or null for RSTP with the defaults
 * @param vlans a switch's port VLANs by port name, or null: the switch is not VLAN-aware (it passes
 *     frames unchanged, tagged or not); when set, ports not in it are access ports in VLAN 1
 * @param storm a switch's storm control by port name (its default already merged into each port's), or
 *     null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public record NodeConfig(String lab, String name, String kind, List<Iface> interfaces, List<StaticRoute> routes,
                         String gateway, Map<String, String> hosts, Management management, String outputDir,
                         boolean capture, boolean trace, long traceBudget, long seed, Long parentPid,
                         Map<String, String> tcp, List<String> services, List<String> nameservers, DnsConfig dns,
                         HttpsConfig https, String trustPem, Boolean prewarmTls, String gateway6,
                         Map<String, String> hosts6, OspfConfig ospf, Boolean seeded, Integer macTableSize,
                         String hostsFile, StpSettings stp, Map<String, VlanPort> vlans,
                         Map<String, StormSettings> storm) {

  /** A builder for node {@code name} of {@code lab}, a {@code kind}, with every other component unset. */
  public static Builder builder(String lab, String name, String kind) {
    return new Builder().lab(lab).name(name).kind(kind);
  }

  /** A builder holding every component of this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.lab = lab;
    b.name = name;
    b.kind = kind;
    b.interfaces = interfaces;
    b.routes = routes;
    b.gateway = gateway;
    b.hosts = hosts;
    b.management = management;
    b.outputDir = outputDir;
    b.capture = capture;
    b.trace = trace;
    b.traceBudget = traceBudget;
    b.seed = seed;
    b.parentPid = parentPid;
    b.tcp = tcp;
    b.services = services;
    b.nameservers = nameservers;
    b.dns = dns;
    b.https = https;
    b.trustPem = trustPem;
    b.prewarmTls = prewarmTls;
    b.gateway6 = gateway6;
    b.hosts6 = hosts6;
    b.ospf = ospf;
    b.seeded = seeded;
    b.macTableSize = macTableSize;
    b.hostsFile = hostsFile;
    b.stp = stp;
    b.vlans = vlans;
    b.storm = storm;
    return b;
  }

  /** The same configuration with other interfaces. */
  public NodeConfig withInterfaces(List<Iface> ifaces) {
    return toBuilder().interfaces(ifaces).build();
  }

  /** The same configuration with these spanning-tree settings (null: the defaults). */
  public NodeConfig withStp(StpSettings settings) {
    return toBuilder().stp(settings).build();
  }

  /** The same configuration with these switch port VLANs (null: not VLAN-aware). */
  public NodeConfig withVlans(Map<String, VlanPort> v) {
    return toBuilder().vlans(v).build();
  }

  /** The same configuration with this storm control by port name (null: none). */
  public NodeConfig withStorm(Map<String, StormSettings> settings) {
    return toBuilder().storm(settings).build();
  }

  /** The same configuration with this OSPF (null: none). */
  public NodeConfig withOspf(OspfConfig o) {
    return toBuilder().ospf(o).build();
  }

  /** The same configuration run elsewhere: its management API, output folder and parent process. */
  public NodeConfig withPlacement(Management where, String outputDir, Long parentPid) {
    return toBuilder().management(where).outputDir(outputDir).parentPid(parentPid).build();
  }

  /** The same configuration with its secrets from the seed (true) or from a CSPRNG (false). */
  public NodeConfig withSeeded(boolean s) {
    return toBuilder().seeded(s).build();
  }

  /** The same configuration with these name tables and shared table file (see {@code hostsFile}). */
  public NodeConfig withHosts(Map<String, String> h, Map<String, String> h6, String file) {
    return toBuilder().hosts(h).hosts6(h6).hostsFile(file).build();
  }

  /**
   * A configuration by the names of the components it sets; the others stay null, and false or 0
   * for the primitives (as when the JSON lacks them). A NodeConfig has 30 components: a call that
   * lists all 30 by position, most of them null, cannot be read, and every new component used to
   * add another constructor with one more argument.
   */
  public static final class Builder {
    private String lab;
    private String name;
    private String kind;
    private List<Iface> interfaces;
    private List<StaticRoute> routes;
    private String gateway;
    private Map<String, String> hosts;
    private Management management;
    private String outputDir;
    private boolean capture;
    private boolean trace;
    private long traceBudget;
    private long seed;
    private Long parentPid;
    private Map<String, String> tcp;
    private List<String> services;
    private List<String> nameservers;
    private DnsConfig dns;
    private HttpsConfig https;
    private String trustPem;
    private Boolean prewarmTls;
    private String gateway6;
    private Map<String, String> hosts6;
    private OspfConfig ospf;
    private Boolean seeded;
    private Integer macTableSize;
    private String hostsFile;
    private StpSettings stp;
    private Map<String, VlanPort> vlans;
    private Map<String, StormSettings> storm;

    private Builder() {}

    public Builder lab(String lab) {
      this.lab = lab;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder kind(String kind) {
      this.kind = kind;
      return this;
    }

    public Builder interfaces(List<Iface> interfaces) {
      this.interfaces = interfaces;
      return this;
    }

    public Builder routes(List<StaticRoute> routes) {
      this.routes = routes;
      return this;
    }

    public Builder gateway(String gateway) {
      this.gateway = gateway;
      return this;
    }

    public Builder hosts(Map<String, String> hosts) {
      this.hosts = hosts;
      return this;
    }

    public Builder management(Management management) {
      this.management = management;
      return this;
    }

    public Builder outputDir(String outputDir) {
      this.outputDir = outputDir;
      return this;
    }

    public Builder capture(boolean capture) {
      this.capture = capture;
      return this;
    }

    public Builder trace(boolean trace) {
      this.trace = trace;
      return this;
    }

    public Builder traceBudget(long traceBudget) {
      this.traceBudget = traceBudget;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder parentPid(Long parentPid) {
      this.parentPid = parentPid;
      return this;
    }

    public Builder tcp(Map<String, String> tcp) {
      this.tcp = tcp;
      return this;
    }

    public Builder services(List<String> services) {
      this.services = services;
      return this;
    }

    public Builder nameservers(List<String> nameservers) {
      this.nameservers = nameservers;
      return this;
    }

    public Builder dns(DnsConfig dns) {
      this.dns = dns;
      return this;
    }

    public Builder https(HttpsConfig https) {
      this.https = https;
      return this;
    }

    public Builder trustPem(String trustPem) {
      this.trustPem = trustPem;
      return this;
    }

    public Builder prewarmTls(Boolean prewarmTls) {
      this.prewarmTls = prewarmTls;
      return this;
    }

    public Builder gateway6(String gateway6) {
      this.gateway6 = gateway6;
      return this;
    }

    public Builder hosts6(Map<String, String> hosts6) {
      this.hosts6 = hosts6;
      return this;
    }

    public Builder ospf(OspfConfig ospf) {
      this.ospf = ospf;
      return this;
    }

    public Builder seeded(Boolean seeded) {
      this.seeded = seeded;
      return this;
    }

    public Builder macTableSize(Integer macTableSize) {
      this.macTableSize = macTableSize;
      return this;
    }

    public Builder hostsFile(String hostsFile) {
      this.hostsFile = hostsFile;
      return this;
    }

    public Builder stp(StpSettings stp) {
      this.stp = stp;
      return this;
    }

    public Builder vlans(Map<String, VlanPort> vlans) {
      this.vlans = vlans;
      return this;
    }

    public Builder storm(Map<String, StormSettings> storm) {
      this.storm = storm;
      return this;
    }

    public NodeConfig build() {
      return new NodeConfig(lab, name, kind, interfaces, routes, gateway, hosts, management, outputDir, capture, trace,
          traceBudget, seed, parentPid, tcp, services, nameservers, dns, https, trustPem, prewarmTls, gateway6, hosts6,
          ospf, seeded, macTableSize, hostsFile, stp, vlans, storm);
    }
  }

  /** True if some interface speaks IPv6. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean hasIpv6() {
    return interfaces.stream().anyMatch(Iface::ipv6);
  }

  /**
   * @param address a.b.c.d/n, or null for none (switch ports)
   * @param bind local UDP endpoint host:port
   * @param peer the other end's UDP endpoint host:port
   * @param impairments egress impairments in tc-netem words (emu.link.impair.ImpairmentParser), or null
   * @param vni the VXLAN network identifier if the link speaks VXLAN, else null (raw frames)
   * @param receive how the socket reads (emu.link.tunnel.ReceiveMode, lower case): {@code gro}
   *     when the peer is an emu node (null means that), {@code recvmmsg} when it sends separate
   *     datagrams (a Linux VXLAN device, QEMU, any external peer)
   * @param addresses6 the interface's static IPv6 addresses (ADDRESS/n), or null: IPv6 is on the
   *     interface (with its link-local address) when this is not null or {@code slaac} is true
   * @param slaac true to take addresses from routers' advertisements ({@code ipv6: auto})
   * @param dhcp a DHCP server on this interface, or null
   * @param dhcpClient true if the interface takes its IPv4 address by DHCP ({@code address: dhcp};
   *     {@code address} is then null)
   * @param fixedPort true if the link's UDP port must be exactly {@code bind}'s: the topology pins
   *     it ({@code port:}, say for a firewall), or the peer is a linux node's VXLAN device or an
   *     external program, which send to the port they were given and cannot be told another.
   *     Otherwise a port found taken at start is replaced by one the kernel picks.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Iface(String name, String mac, String address, int mtu, String bind, String peer,
                      Map<String, String> impairments, Integer vni, String receive, List<String> addresses6,
                      Boolean slaac, DhcpConfig dhcp, Boolean dhcpClient, NatConfig nat, Boolean fixedPort) {
    public Iface(String name, String mac, String address, int mtu, String bind, String peer,
                 Map<String, String> impairments, Integer vni, String receive, List<String> addresses6,
                 Boolean slaac, DhcpConfig dhcp, Boolean dhcpClient, NatConfig nat) {
      this(name, mac, address, mtu, bind, peer, impairments, vni, receive, addresses6, slaac, dhcp, dhcpClient, nat,
          null);
    }

    public Iface(String name, String mac, String address, int mtu, String bind, String peer,
                 Map<String, String> impairments, Integer vni, String receive, List<String> addresses6,
                 Boolean slaac, DhcpConfig dhcp, Boolean dhcpClient) {
      this(name, mac, address, mtu, bind, peer, impairments, vni, receive, addresses6, slaac, dhcp, dhcpClient, null);
    }

    public Iface(String name, String mac, String address, int mtu, String bind, String peer,
                 Map<String, String> impairments, Integer vni, String receive, List<String> addresses6,
                 Boolean slaac, DhcpConfig dhcp) {
      this(name, mac, address, mtu, bind, peer, impairments, vni, receive, addresses6, slaac, dhcp, null);
    }

    public Iface(String name, String mac, String address, int mtu, String bind, String peer,
                 Map<String, String> impairments, Integer vni, String receive, List<String> addresses6,
                 Boolean slaac) {
      this(name, mac, address, mtu, bind, peer, impairments, vni, receive, addresses6, slaac, null, null);
    }

    public Iface(String name, String mac, String address, int mtu, String bind, String peer) {
      this(name, mac, address, mtu, bind, peer, null, null, null);
    }

    public Iface(String name, String mac, String address, int mtu, String bind, String peer,
                 Map<String, String> impairments, Integer vni, String receive) {
      this(name, mac, address, mtu, bind, peer, impairments, vni, receive, null, null);
    }

    /** The same interface on another UDP link (bind and peer host:port; null for none). */
    public Iface withLink(String newBind, String newPeer) {
      return new Iface(name, mac, address, mtu, newBind, newPeer, impairments, vni, receive, addresses6, slaac,
          dhcp, dhcpClient, nat, fixedPort);
    }

    /** True if IPv6 is on this interface. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean ipv6() {
      return addresses6 != null || Boolean.TRUE.equals(slaac);
    }

    public Iface(String name, String mac, String address, int mtu, String bind, String peer,
                 Map<String, String> impairments) {
      this(name, mac, address, mtu, bind, peer, impairments, null, null);
    }

    public Iface(String name, String mac, String address, int mtu, String bind, String peer,
                 Map<String, String> impairments, Integer vni) {
      this(name, mac, address, mtu, bind, peer, impairments, vni, null);
    }
  }

  /**
   * A static route; {@code to} is a prefix ("default" allowed), {@code via} the gateway; an IPv6
   * route when they are IPv6 (a link-local gateway with its interface: fe80::1%eth0).
   */
  public record StaticRoute(String to, String via, int metric) {
    /** True for an IPv6 route. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean ipv6() {
      return via.indexOf(':') >= 0;
    }
  }

  /**
   * Where the node's management API listens, the token it demands, and its TLS: null for plain
   * HTTP (a node on the control plane's machine, on loopback), else HTTPS demanding a client
   * certificate (a node on another machine, a pod).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Management(String host, int port, String token, Tls tls) {
    /** Plain HTTP. */
    public Management(String host, int port, String token) {
      this(host, port, token, null);
    }

    /**
     * The management API's TLS: the server's key and certificate, and the CA whose client
     * certificates it accepts (the lab CA, which issues one to the control plane).
     *
     * @param keyPem the server's private key, PKCS#8 PEM: a secret, carried only in the node's
     *     configuration (mode 0600) or, on Kubernetes, the Secret
     * @param certChainPem its certificate chain, leaf first
     * @param clientCaPem the CA certificate a client's certificate must chain to
     */
    public record Tls(String keyPem, String certChainPem, String clientCaPem) {}
  }

  public static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** The configuration in {@code file}, with the lab's name table it names merged in ({@link #withSharedHosts}). */
  public static NodeConfig read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), NodeConfig.class).withSharedHosts(file);
  }

  /**
   * The configuration in {@code file} as written, its {@code hostsFile} not read: for the control
   * plane, which rewrites a node's file (a moved link port) and must not copy the table into it.
   */
  public static NodeConfig readAsWritten(Path file) throws IOException {
    return JSON.readValue(file.toFile(), NodeConfig.class);
  }

  /**
   * This configuration with its {@code hostsFile} (resolved against {@code configFile}'s folder)
   * read and the node's own entries merged over it; itself if it names none. Throws naming the
   * file if it is missing or not a table.
   */
  public NodeConfig withSharedHosts(Path configFile) throws IOException {
    if (hostsFile == null || isSwitch()) {
      return this;
    }
    HostsTable t = HostsTable.read(HostsTable.resolve(configFile, hostsFile)).merge(hosts, hosts6);
    return withHosts(t.hosts(), t.hosts6(), hostsFile);
  }

  /**
   * The configuration in {@code file} with {@code secrets} (a JSON object of the same shape,
   * e.g. {@code {"management": {"token": "..."}}}) merged into it, field by field. On
   * Kubernetes the configuration comes from a ConfigMap and the token and private keys from a
   * Secret, so that the secrets are not in the ConfigMap.
   */
  public static NodeConfig read(Path file, Path secrets) throws IOException {
    com.fasterxml.jackson.databind.JsonNode base = JSON.readTree(file.toFile());
    com.fasterxml.jackson.databind.JsonNode extra = JSON.readTree(secrets.toFile());
    if (!(base instanceof com.fasterxml.jackson.databind.node.ObjectNode b)
        || !(extra instanceof com.fasterxml.jackson.databind.node.ObjectNode e)) {
      throw new IOException("a node configuration and its secrets must be JSON objects");
    }
    merge(b, e);
    return JSON.treeToValue(b, NodeConfig.class).withSharedHosts(file);
  }

  private static void merge(com.fasterxml.jackson.databind.node.ObjectNode into,
                            com.fasterxml.jackson.databind.node.ObjectNode from) {
    from.fields().forEachRemaining(f -> {
      var mine = into.get(f.getKey());
      if (mine instanceof com.fasterxml.jackson.databind.node.ObjectNode m
          && f.getValue() instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
        merge(m, o);
      } else {
        into.set(f.getKey(), f.getValue());
      }
    });
  }

  public void write(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isSwitch() {
    return "switch".equals(kind);
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isRouter() {
    return "router".equals(kind);
  }
}
