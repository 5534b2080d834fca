package emu.control.lab;

import emu.control.process.NodeProcesses;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * FRRouting's zebra and ospfd, run by a test in a linux node's network namespace, as a real OSPF
 * router to check emu against (issue 19). Nothing of the machine's own FRR is used or touched:
 * no systemd unit, no {@code /etc/frr}, no {@code watchfrr}. Each instance lives in its own
 * temporary folder {@code /tmp/emu-frr-NAME-*} (see {@code src/test/resources/interop/FRR.md}):
 *
 * <ul>
 *   <li>{@code zebra.conf}, {@code ospfd.conf}: the configurations, given by {@code -f};
 *   <li>{@code zebra.vty}, {@code ospfd.vty}: the vty sockets ({@code --vty_socket DIR}), which
 *       {@link #vtysh} talks to; no TCP vty ({@code -P 0});
 *   <li>{@code zserv.api}: zebra's API socket ospfd connects to ({@code -z}, both daemons);
 *   <li>{@code zebra.pid}, {@code ospfd.pid} ({@code -i}); {@code zebra.log}, {@code ospfd.log}
 *       ({@code --log file:}), and {@code *.out}, what each printed;
 *   <li>{@code run/} and {@code tmp/}: bound over {@code /run/frr} and {@code /var/tmp} in the
 *       daemons' own mount namespace ({@code unshare --mount}), because ospfd writes
 *       {@code /run/frr/ospfd-gr.json} (its graceful-restart state, one path for every ospfd on
 *       the machine, whatever {@code -N} says) and every FRR daemon keeps crash-log buffers in
 *       {@code /var/tmp/frr/DAEMON.PID/} (left behind if it is killed). Bound there, both go away
 *       with the folder.
 * </ul>
 *
 * <p>The daemons run in the foreground as children of the test JVM ({@code ip netns exec NS
 * unshare --mount sh -c 'mount ...; exec DAEMON ...'}: each step execs the next, so the child's
 * pid is the daemon's), which {@link #close} ends with SIGTERM (zebra then removes its routes),
 * SIGKILL after 10 s; a shutdown hook does the same if the JVM is stopped first. They run as the
 * package's {@code frr} user ({@code -u frr -g frr}: they start as root in the namespace, keep the
 * capabilities they need, and drop the rest): {@code -u root} is refused at start by FRR's
 * privilege code ("privs_init: user(root) is not part of vty group specified(frrvty)"), so the
 * folder belongs to {@code frr}; vtysh runs as root, which may open the {@code frr:frrvty}
 * sockets.
 *
 * <p>The daemons live in {@code /usr/lib/frr}, not on PATH: {@link #requireInstalled} finds them
 * there (or on PATH) and skips the test, or fails it under EMU_REQUIRE_TOOLS=1, when they are
 * missing.
 */
final class FrrDaemons implements AutoCloseable {
  /** Where Debian's (and FRR's own) packages put the daemons. */
  static final Path SBIN = Path.of("/usr/lib/frr");
  /** Prefix of every instance's folder, which also marks the daemons' command lines. */
  static final String PREFIX = "emu-frr-";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<FrrDaemons> OPEN = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
  private static final Set<Path> FOLDERS = java.util.Collections.synchronizedSet(new LinkedHashSet<>());

  static {
    // A test JVM stopped by a signal (a timeout, ^C) still ends the daemons it started.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (FrrDaemons d : List.copyOf(OPEN)) {
        d.close();
      }
    }, "frr-daemons-cleanup"));
  }

  private final String netns;
  private final String name;
  private final Path dir;
  private final List<Process> daemons = new ArrayList<>(); // zebra first
  private boolean closed;

  private FrrDaemons(String netns, String name, Path dir) {
    this.netns = netns;
    this.name = name;
    this.dir = dir;
  }

  /** Paths of zebra, ospfd, vtysh and unshare, or skips (fails under EMU_REQUIRE_TOOLS=1) saying what is missing. */
  static List<Path> requireInstalled() {
    return List.of(Tools.require("zebra", "frr", SBIN), Tools.require("ospfd", "frr", SBIN),
        Tools.require("vtysh", "frr"), Tools.require("unshare", "util-linux"));
  }

  /**
   * Starts zebra and then ospfd in namespace {@code netns} with the given ospfd configuration
   * (see {@link Ospf} for one written from parts), and waits until both answer on their vty
   * sockets and ospfd has its router ID. {@code name} is the instance's name in folders and
   * messages (the node's, say). Stops whatever it started if that fails.
   */
  static FrrDaemons start(String netns, String name, String ospfdConfig) throws IOException, InterruptedException {
    List<Path> bins = requireInstalled();
    Path dir = Files.createTempDirectory(PREFIX + name + "-");
    FOLDERS.add(dir);
    FrrDaemons d = new FrrDaemons(netns, name, dir);
    OPEN.add(d);
    try {
      Files.createDirectories(dir.resolve("run"));
      Files.createDirectories(dir.resolve("tmp"));
      Files.writeString(dir.resolve("zebra.conf"), "frr defaults traditional\nhostname " + name + "\n");
      Files.writeString(dir.resolve("ospfd.conf"), ospfdConfig);
      giveToFrr(dir);
      d.daemons.add(d.launch(bins.get(0), bins.get(3), "zebra"));
      // ospfd would retry its connection to zebra until zebra listens; started after, it connects
      // at once, and its log holds no connection errors that could be mistaken for a problem.
      d.await("zebra to listen on " + dir.resolve("zserv.api"), Duration.ofSeconds(20),
          () -> Files.exists(dir.resolve("zserv.api")) && Files.exists(dir.resolve("zebra.vty")));
      d.daemons.add(d.launch(bins.get(1), bins.get(3), "ospfd"));
      d.awaitJson("ospfd", "show ip ospf json", Duration.ofSeconds(20), "ospfd to answer with its router ID",
          j -> j.hasNonNull("routerId") && !"0.0.0.0".equals(j.path("routerId").asText()));
      d.awaitJson("zebra", "show ip route json", Duration.ofSeconds(20), "zebra to answer", j -> true);
      return d;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      d.close();
      throw e;
    }
  }

  /** The daemons' folder: the frr user writes there after it drops root. */
  private static void giveToFrr(Path dir) throws IOException {
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal frr;
    GroupPrincipal group;
    try {
      frr = users.lookupPrincipalByName("frr");
      group = users.lookupPrincipalByGroupName("frr");
    } catch (UserPrincipalNotFoundException e) {
      throw new AssertionError("no frr user or group: FRR's package creates them (apt-get install frr)", e);
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(frr);
        view.setGroup(group);
        view.setPermissions(PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  private Process launch(Path daemon, Path unshare, String which) throws IOException {
    // Inside the daemon's own mount namespace, bind this instance's folders over FRR's fixed
    // paths (the class comment says why); /run/frr exists once the package is installed (its
    // tmpfiles.d entry), and if it did not, ospfd would only fail to save graceful-restart state.
    String script = "set -e; d=$1; shift; mount --bind \"$d/tmp\" /var/tmp;"
        + " if [ -d /run/frr ]; then mount --bind \"$d/run\" /run/frr; fi; exec \"$@\"";
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, unshare.toString(), "--mount",
        "--propagation", "private", "sh", "-c", script, "frr-" + which, dir.toString(), daemon.toString(),
        "-f", dir.resolve(which + ".conf").toString(),
        "-i", dir.resolve(which + ".pid").toString(),
        "-z", dir.resolve("zserv.api").toString(),
        "--vty_socket", dir.toString(),
        "-P", "0", // no TCP vty: the socket is enough, and nothing listens in the namespace
        "-u", "frr", "-g", "frr",
        "--log", "file:" + dir.resolve(which + ".log"),
        "--log-level", "info"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(which + ".out").toFile())
        .start();
  }

  String name() {
    return name;
  }

  String netns() {
    return netns;
  }

  Path dir() {
    return dir;
  }

  /** vtysh sending {@code command} to this instance's {@code daemon} only. */
  private Tools.Result runVtysh(String daemon, String command) throws IOException, InterruptedException {
    return Tools.run(List.of(Tools.require("vtysh", "frr").toString(), "--vty_socket", dir.toString(),
        // vtysh reads vtysh.conf from its config folder: ours has none, so /etc/frr's is not read
        "--config_dir", dir.toString(), "-d", daemon, "-c", command), 30);
  }

  /** What vtysh printed for {@code command} sent to {@code daemon} (zebra or ospfd); fails if vtysh does. */
  String vtyshText(String daemon, String command) throws IOException, InterruptedException {
    Tools.Result r = runVtysh(daemon, command);
    if (r.exit() != 0) {
      throw new AssertionError("vtysh -d " + daemon + " -c '" + command + "' on " + name + " exited " + r.exit()
          + ": " + r.output() + r.errors() + logs());
    }
    return r.output();
  }

  /** A {@code ... json} command's answer, parsed. */
  JsonNode vtysh(String daemon, String command) throws IOException, InterruptedException {
    String out = vtyshText(daemon, command);
    try {
      return JSON.readTree(out.isBlank() ? "{}" : out);
    } catch (IOException e) {
      throw new AssertionError("vtysh -c '" + command + "' on " + name + " did not print JSON:\n" + out, e);
    }
  }

  /** {@code show ip ospf neighbor json}: ospfd's neighbors, each once per interface. */
  List<Neighbor> neighbors() throws IOException, InterruptedException {
    return Neighbor.of(vtysh("ospfd", "show ip ospf neighbor json"));
  }

  /** {@code show ip route ospf json}: zebra's OSPF routes by prefix. */
  JsonNode ospfRoutes() throws IOException, InterruptedException {
    return vtysh("zebra", "show ip route ospf json");
  }

  /** {@code show ip ospf database json}: the link-state database. */
  JsonNode database() throws IOException, InterruptedException {
    return vtysh("ospfd", "show ip ospf database json");
  }

  /** Every LSA of {@code show ip ospf database json}, area by area. */
  List<Lsa> lsas() throws IOException, InterruptedException {
    return Lsa.of(database());
  }

  /**
   * One LSA of the database's summary.
   *
   * @param area the area ID, {@code 0.0.0.0}
   * @param kind the list FRR puts it in: {@code routerLinkStates} (type 1), {@code
   *     networkLinkStates} (type 2), {@code summaryLinkStates}, {@code asExternalLinkStates} ...
   * @param lsId its Link State ID (a router's router ID; a network LSA's DR interface address)
   * @param advertisingRouter the router ID of the router that originated it
   */
  record Lsa(String area, String kind, String lsId, String advertisingRouter) {
    static List<Lsa> of(JsonNode db) {
      List<Lsa> all = new ArrayList<>();
      for (Iterator<String> areas = db.path("areas").fieldNames(); areas.hasNext(); ) {
        String area = areas.next();
        JsonNode a = db.path("areas").path(area);
        for (Iterator<String> kinds = a.fieldNames(); kinds.hasNext(); ) {
          String kind = kinds.next();
          for (JsonNode l : a.path(kind)) {
            if (l.has("lsId")) {
              all.add(new Lsa(area, kind, l.path("lsId").asText(), l.path("advertisedRouter").asText()));
            }
          }
        }
      }
      return all;
    }
  }

  /**
   * One OSPF neighbor as {@code show ip ospf neighbor json} lists it.
   *
   * @param routerId its router ID
   * @param state its state as FRR writes it, e.g. {@code Full/DR}, {@code Full/Backup},
   *     {@code Full/DROther}, {@code Full/-} (point-to-point), {@code 2-Way/DROther}, {@code Init/-}
   * @param address the address its packets come from
   * @param iface FRR's {@code ifaceName}: the interface and our address on it, {@code eth0:10.0.12.1}
   */
  record Neighbor(String routerId, String state, int priority, String address, String iface) {
    /** True once the adjacency is Full, whatever the neighbor's role. */
    boolean full() {
      return state.startsWith("Full");
    }

    /** The part after the slash: DR, Backup, DROther, or "-" where there is no election. */
    String role() {
      int slash = state.indexOf('/');
      return slash < 0 ? "" : state.substring(slash + 1);
    }

    static List<Neighbor> of(JsonNode j) {
      List<Neighbor> all = new ArrayList<>();
      for (Iterator<String> ids = j.path("neighbors").fieldNames(); ids.hasNext(); ) {
        String id = ids.next();
        for (JsonNode n : j.path("neighbors").path(id)) {
          // FRR 8.4 writes both "state" and "nbrState"; older ones only "state"
          String state = n.hasNonNull("nbrState") ? n.path("nbrState").asText() : n.path("state").asText();
          all.add(new Neighbor(id, state, n.path("nbrPriority").asInt(n.path("priority").asInt()),
              n.path("ifaceAddress").asText(n.path("address").asText()), n.path("ifaceName").asText()));
        }
      }
      return all;
    }
  }

  /** A condition checked until it holds. */
  interface Probe {
    boolean holds() throws IOException, InterruptedException;
  }

  /** Polls {@code probe} every 100 ms until it holds; fails after {@code timeout} with the daemons' logs. */
  void await(String what, Duration timeout, Probe probe) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      checkAlive(what);
      if (probe.holds()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + ": waited " + timeout.toMillis() + " ms for " + what + logs());
      }
      Thread.sleep(100);
    }
  }

  /**
   * Sends {@code command} (a {@code ... json} one) to {@code daemon} every 100 ms until its answer
   * satisfies {@code done}, and returns that answer; fails after {@code timeout} with the last
   * answer and the daemons' logs. An answer vtysh cannot get (a daemon still starting) counts as
   * not done yet.
   */
  JsonNode awaitJson(String daemon, String command, Duration timeout, String what, Predicate<JsonNode> done)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "(no answer)";
    while (true) {
      checkAlive(what);
      Tools.Result r = runVtysh(daemon, command);
      if (r.exit() == 0 && !r.output().isBlank()) {
        last = r.output();
        try {
          JsonNode j = JSON.readTree(r.output());
          if (done.test(j)) {
            return j;
          }
        } catch (IOException e) {
          // not JSON (yet): keep asking
        }
      } else {
        last = "exit " + r.exit() + ": " + r.output() + r.errors();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + ": waited " + timeout.toMillis() + " ms for " + what + "; '" + command
            + "' last said:\n" + last + logs());
      }
      Thread.sleep(100);
    }
  }

  /** Waits until every neighbor in {@code routerIds} is Full; returns the neighbor list then. */
  List<Neighbor> awaitFull(Duration timeout, String... routerIds) throws IOException, InterruptedException {
    JsonNode j = awaitJson("ospfd", "show ip ospf neighbor json", timeout,
        "Full adjacencies with " + String.join(", ", routerIds), n -> {
          List<Neighbor> all = Neighbor.of(n);
          return Stream.of(routerIds).allMatch(id -> all.stream().anyMatch(x -> x.routerId().equals(id) && x.full()));
        });
    return Neighbor.of(j);
  }

  private void checkAlive(String what) throws IOException {
    for (Process p : daemons) {
      if (!p.isAlive()) {
        throw new AssertionError(name + ": " + commandName(p) + " exited (" + p.exitValue() + ") while waiting for "
            + what + logs());
      }
    }
  }

  private static String commandName(Process p) {
    return p.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("pid " + p.pid());
  }

  /** The last lines of each daemon's log and output, to append to a failure. */
  String logs() {
    StringBuilder b = new StringBuilder();
    for (String f : List.of("zebra.out", "zebra.log", "ospfd.out", "ospfd.log")) {
      Path p = dir.resolve(f);
      b.append("\n--- ").append(name).append(' ').append(f).append(" ---\n");
      try {
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(l -> b.append(l).append('\n'));
      } catch (IOException e) {
        b.append("(none: ").append(e.getMessage()).append(")\n");
      }
    }
    return b.toString();
  }

  /**
   * Ends ospfd, then zebra (SIGTERM, which lets zebra take its routes out of the kernel; SIGKILL
   * after 10 s), and removes the folder. Safe to call twice, and from a finally block after any
   * failure.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Process p : reversed(daemons)) {
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("cannot remove " + dir + ": " + e.getMessage());
    }
    OPEN.remove(this);
  }

  private static List<Process> reversed(List<Process> l) {
    List<Process> r = new ArrayList<>(l);
    java.util.Collections.reverse(r);
    return r;
  }

  /**
   * What an instance may leave behind, if it was not closed: FRR daemons started by this class
   * (from any JVM) still running, as pid and command line, and folders this JVM made that still
   * exist.
   */
  static List<String> leftovers() {
    List<String> found = new ArrayList<>();
    for (Path d : List.copyOf(FOLDERS)) {
      if (Files.exists(d)) {
        found.add("folder " + d);
      }
    }
    ProcessHandle.allProcesses().forEach(p -> NodeProcesses.commandLine(p).ifPresent(cl -> {
      if (cl.contains(SBIN + "/") && cl.contains("/" + PREFIX)) {
        found.add(p.pid() + " " + cl);
      }
    }));
    return found;
  }

  /**
   * An ospfd configuration written from parts: FRR's traditional defaults, the router ID, one
   * {@code network PREFIX area 0} per prefix, adjacency changes logged in detail, and each
   * interface's settings.
   */
  record Ospf(String routerId, List<String> networks, List<Iface> interfaces) {
    String text(String hostname) {
      StringBuilder b = new StringBuilder();
      // Debian's build defaults to "traditional" already; said here so that another build's
      // "datacenter" profile (faster timers, other defaults) cannot change what the tests see.
      b.append("frr defaults traditional\n");
      b.append("hostname ").append(hostname).append('\n');
      b.append("!\n");
      for (Iface i : interfaces) {
        b.append("interface ").append(i.name()).append('\n');
        b.append(" ip ospf cost ").append(i.cost()).append('\n');
        if (i.passive()) {
          b.append(" ip ospf passive\n");
        } else {
          b.append(" ip ospf hello-interval ").append(i.hello()).append('\n');
          b.append(" ip ospf dead-interval ").append(i.dead()).append('\n');
          if (i.pointToPoint()) {
            b.append(" ip ospf network point-to-point\n");
          }
          b.append(" ip ospf priority ").append(i.priority()).append('\n');
        }
        b.append("!\n");
      }
      b.append("router ospf\n");
      b.append(" ospf router-id ").append(routerId).append('\n');
      b.append(" log-adjacency-changes detail\n");
      for (String n : networks) {
        b.append(" network ").append(n).append(" area 0\n");
      }
      b.append("!\n");
      return b.toString();
    }
  }

  /**
   * One interface's OSPF settings.
   *
   * @param hello HelloInterval in seconds (RFC 2328's default is 10)
   * @param dead RouterDeadInterval in seconds (default 40); both must match the neighbor's
   * @param pointToPoint {@code ip ospf network point-to-point} instead of broadcast (no DR)
   * @param priority router priority for the DR election (default 1; 0 never becomes DR)
   * @param cost the interface's output cost, always written: FRR's own default is its reference
   *     bandwidth (100 Mbit/s) over the speed the kernel reports, which is 1 on a linux node's
   *     VXLAN device (it reports none, read as 4294967295 Mbit/s) and 10 on a veth; the factories
   *     give 10, RFC 2328's example cost of an Ethernet
   * @param passive advertised as a stub network, no Hellos sent on it
   */
  record Iface(String name, int hello, int dead, boolean pointToPoint, int priority, int cost, boolean passive) {
    static final int COST = 10;

    static Iface broadcast(String name, int hello, int dead, int priority) {
      return new Iface(name, hello, dead, false, priority, COST, false);
    }

    static Iface pointToPoint(String name, int hello, int dead) {
      return new Iface(name, hello, dead, true, 1, COST, false);
    }

    static Iface passive(String name) {
      return new Iface(name, 10, 40, false, 1, COST, true);
    }

    Iface withCost(int c) {
      return new Iface(name, hello, dead, pointToPoint, priority, c, passive);
    }
  }
}
