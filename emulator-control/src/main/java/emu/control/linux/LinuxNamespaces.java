package emu.control.linux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Creates, inspects and removes the network namespaces behind linux nodes, with iproute2.
 * Everything it makes is named with the prefix {@code emu-} (namespaces) or {@code emu}
 * (veth ends), so that leftovers of a crashed lab can be found and removed at the next start.
 * Real traffic only ever flows on loopback and inside these namespaces.
 */
public final class LinuxNamespaces {
  public static final String PREFIX = "emu-";
  /**
   * Where each namespace's owner record lives: the pid and start time of the process that made
   * it, and its lab. Not in /etc/netns/NAME/, whose every file `ip netns exec` bind-mounts over
   * /etc; under /run, which like the namespaces themselves does not outlive a reboot.
   */
  static final Path OWNERS = Path.of("/run/emu/netns");
  private static final ObjectMapper JSON = new ObjectMapper();

  private LinuxNamespaces() {}

  /** True if this process runs as root (network namespaces and veth pairs need it). */
  public static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  public static String netnsName(String lab, String node) {
    return PREFIX + lab + "-" + node;
  }

  /** Short veth names (the kernel allows 15 characters): emu + 6 hex of the lab and node + h|n. */
  public static String vethBase(String lab, String node) {
    byte[] h;
    try {
      h = java.security.MessageDigest.getInstance("SHA-256").digest((lab + "/" + node)
          .getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return "emu" + HexFormat.of().formatHex(h, 0, 3);
  }

  /** The namespaces this machine has now. */
  public static Set<String> namespaces() throws IOException {
    Set<String> names = new TreeSet<>();
    Shell.Result r = Shell.run("ip", "netns", "list");
    for (String l : Shell.lines(r.out())) {
      names.add(l.split("\\s+")[0]);
    }
    return names;
  }

  public static boolean exists(String netns) {
    return Files.exists(Path.of("/run/netns", netns));
  }

  /** A free third octet for a 169.254.X.0/24 underlay (not on any interface of the root namespace). */
  public static int freeUnderlayOctet(Set<Integer> alsoTaken) throws IOException {
    Set<Integer> used = new TreeSet<>(alsoTaken);
    for (String l : Shell.lines(Shell.run("ip", "-4", "-o", "addr", "show").out())) {
      int at = l.indexOf("inet 169.254.");
      if (at >= 0) {
        String rest = l.substring(at + "inet 169.254.".length());
        used.add(Integer.parseInt(rest.substring(0, rest.indexOf('.'))));
      }
    }
    for (int x = 100; x < 255; x++) {
      if (!used.contains(x)) {
        return x;
      }
    }
    throw new IOException("no free 169.254.X.0/24 underlay left for a linux node");
  }

  /**
   * Checks everything that could stop the lab before anything is created: root, iproute2, and
   * names not already in use (by anything but a leftover of a dead emu lab).
   */
  public static void preflight(List<LinuxPlan> plans) throws LinuxException {
    preflight(plans, isRoot());
  }

  static void preflight(List<LinuxPlan> plans, boolean root) throws LinuxException {
    if (plans.isEmpty()) {
      return;
    }
    for (LinuxPlan p : plans) {
      checkIpv6(p);
    }
    if (!root) {
      throw new LinuxException("linux nodes (" + String.join(", ", plans.stream().map(LinuxPlan::node).toList())
          + ") need root: they are network namespaces with veth and VXLAN devices. Run emu as root, or use"
          + " host/router nodes instead");
    }
    try {
      Set<String> existing = namespaces();
      List<String> links = Shell.lines(Shell.run("ip", "-o", "link", "show").out());
      for (LinuxPlan p : plans) {
        if (existing.contains(p.netns())) {
          throw new LinuxException("network namespace " + p.netns() + " already exists (is lab " + p.lab()
              + " up elsewhere? 'ip netns del " + p.netns() + "' removes a leftover)");
        }
        for (String l : links) {
          if (l.contains(": " + p.hostVeth() + "@") || l.contains(": " + p.hostVeth() + ":")) {
            throw new LinuxException("interface " + p.hostVeth() + " (for linux node " + p.node()
                + ") already exists; 'ip link del " + p.hostVeth() + "' removes a leftover");
          }
        }
      }
    } catch (IOException e) {
      throw new LinuxException("cannot run iproute2's ip (apt-get install iproute2): " + e.getMessage(), e);
    }
    try {
      Shell.must("ethtool", "--version");
    } catch (IOException e) {
      throw new LinuxException("linux nodes need ethtool (apt-get install ethtool), to turn off checksum offload on"
          + " their VXLAN devices", e);
    }
  }

  /**
   * What the kernel would not do as the topology asks, found before anything is made: Linux keeps
   * IPv6 off on a device whose MTU is below IPv6's minimum link MTU (1280, RFC 8200 5), so its
   * addresses could not be added.
   */
  static void checkIpv6(LinuxPlan p) throws LinuxException {
    for (LinuxPlan.Iface i : p.interfaces()) {
      if (i.hasIpv6() && i.mtu() < IPV6_MIN_MTU) {
        throw new LinuxException("linux node " + p.node() + ", interface " + i.name() + ": its MTU is " + i.mtu()
            + ", below IPv6's minimum link MTU of " + IPV6_MIN_MTU + " (RFC 8200), and Linux keeps IPv6 off on such"
            + " a device; give the link an MTU of at least " + IPV6_MIN_MTU + ", or the interface no IPv6");
      }
    }
  }

  static final int IPV6_MIN_MTU = 1280;

  /** Builds one linux node. On failure, removes what it made and throws naming the step. */
  public static void create(LinuxPlan p) throws IOException {
    try {
      Shell.must("ip", "netns", "add", p.netns());
      Shell.must("ip", "link", "add", p.hostVeth(), "type", "veth", "peer", "name", p.nsVeth());
      Shell.must("ip", "link", "set", p.nsVeth(), "netns", p.netns());
      // The underlay is IPv4 only: no router solicitations or neighbour discovery from our end.
      Shell.must("sysctl", "-q", "-w", "net.ipv6.conf." + p.hostVeth() + ".disable_ipv6=1");
      Shell.must("ip", "link", "set", p.hostVeth(), "mtu", "9000", "up");
      Shell.must("ip", "addr", "add", p.hostUnderlay(), "dev", p.hostVeth());
      for (LinuxPlan.Iface i : p.interfaces()) {
        if (!i.isVlan()) {
          Shell.must("ip", "addr", "add", i.remote() + "/32", "dev", p.hostVeth());
        }
      }
      String ns = p.netns();
      // IPv6 off on every device made from here on (the underlay veth, each VXLAN device): an
      // interface the topology gives no IPv6 sends no router solicitations, neighbour discovery
      // or MLD reports, so an IPv4-only lab's captures stay as they were. The interfaces that do
      // have IPv6 get it in startIpv6, once the emu ends of their links listen.
      Shell.must("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
          "net.ipv6.conf.default.disable_ipv6=1");
      if (p.hasIpv6()) {
        sysctl(ns, "lo", "disable_ipv6", 0); // ::1, as on any host with IPv6
      }
      Shell.must("ip", "-n", ns, "link", "set", "lo", "up");
      Shell.must("ip", "-n", ns, "link", "set", p.nsVeth(), "mtu", "9000", "up");
      Shell.must("ip", "-n", ns, "addr", "add", p.nsUnderlay(), "dev", p.nsVeth());
      String local = p.nsUnderlay().substring(0, p.nsUnderlay().indexOf('/'));
      // the VXLAN devices, then the VLAN subinterfaces on them (the planner lists them last)
      for (LinuxPlan.Iface i : p.interfaces()) {
        if (i.isVlan()) {
          // the kernel's own 802.1Q: the parent's MAC and MTU (the tag rides on top of it)
          Shell.must("ip", "-n", ns, "link", "add", "link", i.parent(), "name", i.name(), "type", "vlan", "id",
              Integer.toString(i.vid()));
        } else {
          Shell.must("ip", "-n", ns, "link", "add", i.name(), "type", "vxlan", "id", Integer.toString(i.vni()),
              "remote", i.remote(), "local", local, "dstport", "4789", "srcport", "4789", "4790", "nolearning");
          Shell.must("ip", "-n", ns, "link", "set", i.name(), "address", i.mac(), "mtu", Integer.toString(i.mtu()));
        }
        if (i.address() != null) {
          Shell.must("ip", "-n", ns, "addr", "add", i.address(), "dev", i.name());
        }
        if (i.hasIpv6()) {
          // Set while IPv6 is still off on the device; startIpv6 turns it on.
          ipv6Settings(ns, i, p.gateway6() != null);
        }
        // Without this the kernel leaves the inner TCP/UDP checksums to a "hardware" that is
        // not there (checksum offload on virtual devices): the frames emu receives would carry
        // partial checksums, which a real wire never does.
        Shell.must("ip", "netns", "exec", ns, "ethtool", "-K", i.name(), "tx", "off");
        Shell.must("ip", "-n", ns, "link", "set", i.name(), "up");
      }
      for (LinuxPlan.Route r : p.routes()) {
        if (!r.ipv6()) {
          Shell.must("ip", "-n", ns, "route", "add", r.to(), "via", r.via());
        }
      }
      if (p.gateway() != null) {
        Shell.must("ip", "-n", ns, "route", "add", "default", "via", p.gateway());
      }
      Path etc = Path.of("/etc/netns", ns);
      Files.createDirectories(etc);
      if (!p.nameservers().isEmpty()) {
        // one line per server, in order, as glibc reads them (an IPv6 one is asked over IPv6)
        StringBuilder conf = new StringBuilder("# emu lab " + p.lab() + "\n");
        p.nameservers().forEach(server -> conf.append("nameserver ").append(server).append('\n'));
        Files.writeString(etc.resolve("resolv.conf"), conf);
      }
      StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
      p.hosts().forEach((name, addr) -> hosts.append(addr).append(' ').append(name).append('\n'));
      if (p.hasIpv6()) {
        hosts.append("::1 localhost ip6-localhost ip6-loopback\n");
        p.hosts6().forEach((name, addr) -> hosts.append(addr).append(' ').append(name).append('\n'));
      }
      Files.writeString(etc.resolve("hosts"), hosts);
      Files.createDirectories(OWNERS);
      Files.writeString(OWNERS.resolve(ns), ownerRecord(ProcessHandle.current()) + " " + p.lab() + "\n");
    } catch (IOException e) {
      delete(p.netns(), p.hostVeth());
      throw new IOException("linux node " + p.node() + ": " + e.getMessage(), e);
    }
  }

  /** How long the kernel gets to check its IPv6 addresses (a random delay up to 1 s, one probe, 1 s). */
  static final long DAD_WAIT_MS = 10_000;
  /**
   * How long, from turning IPv6 on, an {@code ipv6: auto} interface gets to take an address from
   * a router's advertisement: its link-local address checked (up to 2 s), a router solicitation
   * (one lost while the router's own link-local address was tentative is sent again 4 s later),
   * the answer (up to 0.5 s), the new address checked (up to 2 s), with room for a busy machine.
   */
  static final long SLAAC_WAIT_MS = 15_000;

  /**
   * The kernel's IPv6 settings of one interface, written while IPv6 is still off on it: router
   * advertisements accepted (default routes and on-link prefixes, as emu's hosts take them; 2 if
   * the namespace forwards, since 1 makes a forwarding kernel ignore them) but, on a node whose
   * topology names an IPv6 gateway, not their default route (accept_ra_defrtr 0, as an
   * administrator who sets a gateway configures Linux: the router's route would be the same one,
   * and the kernel refuses the second), addresses taken from
   * them only with {@code ipv6: auto}, duplicate address detection on, EUI-64 interface
   * identifiers and no temporary addresses (as emu's SLAAC), and static addresses kept while the
   * link is down (a fault plan's link down and up), as IPv4 addresses are.
   */
  private static void ipv6Settings(String ns, LinuxPlan.Iface i, boolean staticGateway) throws IOException {
    boolean forwarding = Shell.must("ip", "netns", "exec", ns, "sysctl", "-n", "net.ipv6.conf.all.forwarding")
        .trim().equals("1");
    sysctl(ns, i.name(), "accept_ra", forwarding ? 2 : 1);
    sysctl(ns, i.name(), "accept_ra_defrtr", staticGateway ? 0 : 1);
    sysctl(ns, i.name(), "autoconf", i.slaac() ? 1 : 0);
    sysctl(ns, i.name(), "accept_dad", 1);
    sysctl(ns, i.name(), "addr_gen_mode", 0);
    sysctl(ns, i.name(), "use_tempaddr", 0);
    sysctl(ns, i.name(), "keep_addr_on_down", 1);
  }

  private static void sysctl(String ns, String dev, String key, int value) throws IOException {
    Shell.must("ip", "netns", "exec", ns, "sysctl", "-q", "-w", sysctlKey(dev, key) + "=" + value);
  }

  /**
   * The sysctl(8) name of a device's IPv6 setting: sysctl separates a key's parts with dots, so a
   * device name's own dots (eth0.10) are written as slashes ({@code net.ipv6.conf.eth0/10.KEY}).
   */
  static String sysctlKey(String dev, String key) {
    return "net.ipv6.conf." + dev.replace('.', '/') + "." + key;
  }

  /**
   * Turns the kernel's IPv6 on in each namespace, on the interfaces the topology gives IPv6, and
   * waits until it is up. Called once the emu nodes are ready, so that the kernel's duplicate
   * address detection and router solicitation reach nodes that listen: turned on earlier, the
   * probes would go to ports nobody has bound yet, an address would pass its check unheard, and
   * the first solicitation would be lost. The static addresses go through duplicate address
   * detection (no {@code nodad}); the start waits until no address is tentative, then adds the
   * IPv6 routes and gateway (iproute2 takes a link-local next hop as {@code via fe80::1 dev eth0},
   * not {@code fe80::1%eth0}), then waits, {@link #SLAAC_WAIT_MS} at most, until each
   * {@code ipv6: auto} interface has an address from a router's advertisement; one that has none
   * by then is reported through {@code progress} and the lab goes on (its link may have no
   * router). A duplicate address, an address or route the kernel refuses, or a check that never
   * ends fails the start, naming the node and interface.
   *
   * @return true if IPv6 came up everywhere, false if an interface is still without its address
   */
  public static boolean startIpv6(List<LinuxPlan> plans, Consumer<String> progress) throws LinuxException {
    List<LinuxPlan> v6 = plans.stream().filter(LinuxPlan::hasIpv6).toList();
    if (v6.isEmpty()) {
      return true;
    }
    long start = System.currentTimeMillis();
    for (LinuxPlan p : v6) {
      for (LinuxPlan.Iface i : p.interfaces()) {
        if (!i.hasIpv6()) {
          continue;
        }
        try {
          sysctl(p.netns(), i.name(), "disable_ipv6", 0);
        } catch (IOException e) {
          throw new LinuxException("linux node " + p.node() + ", interface " + i.name() + ": cannot turn IPv6 on: "
              + e.getMessage(), e);
        }
        for (String a : i.addresses6()) {
          try {
            Shell.must("ip", "-n", p.netns(), "-6", "addr", "add", a, "dev", i.name());
          } catch (IOException e) {
            throw new LinuxException("linux node " + p.node() + ", interface " + i.name() + ": the kernel refuses"
                + " IPv6 address " + a + ": " + e.getMessage(), e);
          }
        }
      }
    }
    awaitIpv6(v6, start + DAD_WAIT_MS, false, progress);
    for (LinuxPlan p : v6) {
      ipv6Routes(p);
    }
    return awaitIpv6(v6, start + SLAAC_WAIT_MS, true, progress);
  }

  /** The IPv6 static routes and default gateway of one node, added once its addresses are checked. */
  private static void ipv6Routes(LinuxPlan p) throws LinuxException {
    for (LinuxPlan.Route r : ipv6RoutesOf(p)) {
      List<String> cmd = new ArrayList<>(List.of("ip", "-n", p.netns(), "-6", "route", "add", r.to(), "via", r.via()));
      if (r.dev() != null) {
        cmd.addAll(List.of("dev", r.dev()));
      }
      try {
        Shell.must(cmd.toArray(String[]::new));
      } catch (IOException e) {
        throw new LinuxException("linux node " + p.node() + (r.dev() != null ? ", interface " + r.dev() : "")
            + ": the kernel refuses the IPv6 route to " + r.to() + " via " + r.via() + ": " + e.getMessage(), e);
      }
    }
  }

  /** The node's IPv6 static routes, then its IPv6 gateway as a default route (a link-local one with its dev). */
  private static List<LinuxPlan.Route> ipv6RoutesOf(LinuxPlan p) {
    List<LinuxPlan.Route> routes = new ArrayList<>(p.routes().stream().filter(LinuxPlan.Route::ipv6).toList());
    if (p.gateway6() != null) {
      int pct = p.gateway6().indexOf('%');
      routes.add(pct < 0 ? new LinuxPlan.Route("default", p.gateway6())
          : new LinuxPlan.Route("default", p.gateway6().substring(0, pct), p.gateway6().substring(pct + 1)));
    }
    return routes;
  }

  /**
   * Polls the namespaces' IPv6 addresses until none is tentative and, if {@code slaac}, every
   * {@code ipv6: auto} interface has a global address from a router's advertisement.
   */
  private static boolean awaitIpv6(List<LinuxPlan> plans, long deadline, boolean slaac, Consumer<String> progress)
      throws LinuxException {
    while (true) {
      List<String> waiting = new ArrayList<>();
      for (LinuxPlan p : plans) {
        Map<String, List<JsonNode>> addrs;
        try {
          addrs = ipv6Addresses(p.netns());
        } catch (IOException e) {
          throw new LinuxException("linux node " + p.node() + ": cannot read its IPv6 addresses: " + e.getMessage(), e);
        }
        for (LinuxPlan.Iface i : p.interfaces()) {
          if (!i.hasIpv6()) {
            continue;
          }
          boolean fromRouter = false;
          for (JsonNode a : addrs.getOrDefault(i.name(), List.of())) {
            String addr = a.path("local").asText() + "/" + a.path("prefixlen").asInt();
            if (a.path("dadfailed").asBoolean()) {
              throw new LinuxException("linux node " + p.node() + ", interface " + i.name() + ": the kernel's duplicate"
                  + " address detection found " + addr + " already in use on the link; give one of them another"
                  + " address (or MAC)");
            }
            if (a.path("tentative").asBoolean()) {
              waiting.add(p.node() + ":" + i.name() + " " + addr + " (tentative)");
            } else if (a.path("dynamic").asBoolean() && "global".equals(a.path("scope").asText())) {
              fromRouter = true;
            }
          }
          if (slaac && i.slaac() && !fromRouter) {
            waiting.add(p.node() + ":" + i.name() + " (no address from a router's advertisement)");
          }
        }
      }
      if (waiting.isEmpty()) {
        return true;
      }
      if (System.currentTimeMillis() >= deadline) {
        if (!slaac) {
          throw new LinuxException("the kernel's duplicate address detection did not finish in " + DAD_WAIT_MS / 1000
              + " s on " + String.join(", ", waiting));
        }
        progress.accept("IPv6 is not up after " + SLAAC_WAIT_MS / 1000 + " s on " + String.join(", ", waiting)
            + " (is there an IPv6 router on the link?); the lab goes on");
        return false;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LinuxException("interrupted while waiting for IPv6 in the linux nodes", e);
      }
    }
  }

  /** Each interface's IPv6 addresses as {@code ip -j -6 addr} reports them. */
  private static Map<String, List<JsonNode>> ipv6Addresses(String netns) throws IOException {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    for (JsonNode l : JSON.readTree(Shell.must("ip", "-n", netns, "-j", "-6", "addr", "show"))) {
      List<JsonNode> list = out.computeIfAbsent(l.path("ifname").asText(), k -> new ArrayList<>());
      l.path("addr_info").forEach(list::add);
    }
    return out;
  }

  /** Removes a namespace, its veth pair and its /etc/netns files; quiet if they are gone. */
  public static void delete(String netns, String hostVeth) {
    try {
      Shell.run("ip", "netns", "del", netns);
      if (hostVeth != null) {
        Shell.run("ip", "link", "del", hostVeth);
      }
      Files.deleteIfExists(OWNERS.resolve(netns));
      Path etc = Path.of("/etc/netns", netns);
      if (Files.isDirectory(etc)) {
        try (var s = Files.walk(etc)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    } catch (IOException e) {
      // best effort: the caller reports what is left
    }
  }

  /**
   * Removes the namespaces of labs that did not stop cleanly: every {@code emu-} namespace whose
   * owner record names a process (pid and start time, so a reused pid does not count) that no
   * longer runs. Deleting a namespace deletes the veth pair and VXLAN devices in it. A namespace
   * without an owner record is not emu's and is left alone.
   */
  public static List<String> removeLeftovers() {
    List<String> removed = new ArrayList<>();
    if (!isRoot()) {
      return removed;
    }
    try {
      for (String ns : namespaces()) {
        Path owner = OWNERS.resolve(ns);
        if (!ns.startsWith(PREFIX) || !Files.isRegularFile(owner)) {
          continue;
        }
        String[] words = Files.readString(owner).trim().split("\\s+");
        boolean alive = words.length >= 2 && ProcessHandle.of(Long.parseLong(words[0]))
            .map(h -> ownerRecord(h).equals(words[0] + " " + words[1])).orElse(false);
        if (!alive) {
          delete(ns, null);
          removed.add(ns);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // iproute2 missing (nothing of ours can exist) or a record not written by us: leave it
    }
    return removed;
  }

  /** "PID START-MILLIS" of a process, as written in a namespace's owner record. */
  private static String ownerRecord(ProcessHandle h) {
    return h.pid() + " " + h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
  }

  /** Sets a namespace interface up or down (carrier-like: the kernel stops using it while down). */
  public static void setLinkUp(String netns, String iface, boolean up) throws LinuxException {
    try {
      Shell.must("ip", "-n", netns, "link", "set", iface, up ? "up" : "down");
    } catch (IOException e) {
      throw new LinuxException("cannot set " + iface + " in " + netns + " " + (up ? "up" : "down") + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Puts a node's static routes and gateways back once {@code iface} is up again: the kernel
   * removes every route through a device that goes down (a fault plan's {@code link down}), and
   * a real host's network configuration would add them again when its carrier returns. Best
   * effort: a route whose next hop is still unreachable (through another interface that is down)
   * is skipped and comes back when that interface does. The IPv6 ones wait (up to
   * {@link #DAD_WAIT_MS}) until the interface's addresses, kept while it was down, have been
   * checked again.
   */
  public static void restoreRoutes(LinuxPlan p, String iface) {
    if (p == null) {
      return;
    }
    String ns = p.netns();
    for (LinuxPlan.Route r : p.routes()) {
      if (!r.ipv6()) {
        quietly("ip", "-n", ns, "route", "replace", r.to(), "via", r.via());
      }
    }
    if (p.gateway() != null) {
      quietly("ip", "-n", ns, "route", "replace", "default", "via", p.gateway());
    }
    LinuxPlan.Iface i = p.interfaces().stream().filter(x -> x.name().equals(iface)).findFirst().orElse(null);
    if (i == null || !i.hasIpv6()) {
      return;
    }
    try {
      // this interface only: another one that is down keeps its addresses tentative
      LinuxPlan only = new LinuxPlan(p.lab(), p.node(), ns, p.hostVeth(), p.nsVeth(), p.hostUnderlay(),
          p.nsUnderlay(), List.of(i), p.routes(), p.gateway(), p.nameservers(), p.hosts(), p.gateway6(), p.hosts6());
      awaitIpv6(List.of(only), System.currentTimeMillis() + DAD_WAIT_MS, false, line -> { });
    } catch (LinuxException e) {
      // a duplicate now, or still tentative: add what the kernel takes
    }
    for (LinuxPlan.Route r : ipv6RoutesOf(p)) {
      List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns, "-6", "route", "replace", r.to(), "via", r.via()));
      if (r.dev() != null) {
        cmd.addAll(List.of("dev", r.dev()));
      }
      quietly(cmd.toArray(String[]::new));
    }
  }

  private static void quietly(String... cmd) {
    try {
      Shell.run(cmd);
    } catch (IOException e) {
      // best effort, see restoreRoutes
    }
  }

  /** Runs a program inside the namespace, passing each output line on; returns its exit status. */
  public static int exec(String netns, List<String> argv, Consumer<String> out) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    cmd.addAll(argv);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.accept(line);
      }
    }
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * A linux node's state as status shows it, put into {@code o}: dead when its namespace is gone,
   * else running, with the namespace and its VXLAN interfaces as iproute2 reports them.
   */
  public static void status(String netns, ObjectNode o) {
    if (!exists(netns)) {
      o.put("state", "dead");
      o.put("reason", "network namespace " + netns + " is gone");
      return;
    }
    o.put("state", "running");
    o.put("netns", netns);
    try {
      o.set("interfaces", JSON.valueToTree(interfaces(netns)));
    } catch (IOException e) {
      o.put("reason", e.getMessage());
    }
  }

  /** The namespace's interfaces as status shows them: name, MAC, address, state. */
  public static List<Map<String, Object>> interfaces(String netns) throws IOException {
    return interfaces(JSON.readTree(Shell.must("ip", "-n", netns, "-j", "addr", "show")));
  }

  /** What {@code ip -j addr show} printed, as {@link #interfaces(String)} returns it. */
  static List<Map<String, Object>> interfaces(JsonNode all) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JsonNode l : all) {
      String name = l.path("ifname").asText();
      if (name.equals("lo") || name.startsWith("emu")) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("mac", l.path("address").asText());
      String addr = null;
      List<Map<String, Object>> addresses6 = new ArrayList<>();
      for (JsonNode a : l.path("addr_info")) {
        String cidr = a.path("local").asText() + "/" + a.path("prefixlen").asInt();
        if (a.path("family").asText().equals("inet")) {
          addr = cidr;
        } else if (a.path("family").asText().equals("inet6")) {
          // as emu nodes report theirs: origin and state in the words of their status
          Map<String, Object> a6 = new LinkedHashMap<>();
          a6.put("address", cidr);
          a6.put("origin", a.path("scope").asText().equals("link") ? "link_local"
              : a.path("dynamic").asBoolean() ? "slaac" : "static");
          a6.put("state", a.path("dadfailed").asBoolean() ? "duplicate" : a.path("tentative").asBoolean()
              ? "tentative" : a.path("deprecated").asBoolean() ? "deprecated" : "preferred");
          addresses6.add(a6);
        }
      }
      m.put("address", addr);
      if (!addresses6.isEmpty()) {
        m.put("addresses6", addresses6);
      }
      // DOWN: no carrier; LOWERLAYERDOWN: a VLAN device whose parent has none; NOTPRESENT: its
      // parent is gone. A VXLAN device that is up says UNKNOWN (it has no carrier to speak of).
      String oper = l.path("operstate").asText();
      m.put("state", oper.equals("DOWN") || oper.equals("LOWERLAYERDOWN") || oper.equals("NOTPRESENT") ? "DOWN"
          : "UP");
      int dot = name.lastIndexOf('.');
      if (dot > 0 && name.substring(dot + 1).matches("[0-9]+")) {
        // a VLAN device emu made on a VXLAN device (iproute2 says which: "link")
        m.put("vlan", Map.of("parent", l.path("link").asText(name.substring(0, dot)),
            "id", Integer.parseInt(name.substring(dot + 1))));
      } else {
        m.put("vxlan", true);
      }
      out.add(m);
    }
    return out;
  }
}
