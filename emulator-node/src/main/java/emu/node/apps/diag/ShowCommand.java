package emu.node.apps.diag;

import emu.node.ospf.Ospf;
import emu.node.ospf.OspfCounters;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import emu.node.stack.Route;
import emu.node.wire.Ipv4Address;
import emu.node.wire.OspfLsa;
import emu.node.wire.OspfRouterLsa;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code show ip ospf [neighbor|interface|database|route]} and {@code show ip route ospf}: a
 * router's OSPF in the shapes FRR's vtysh prints, since those are what OSPF users read and grep
 * (the columns of {@code show ip ospf neighbor}, the per-type tables of {@code show ip ospf
 * database}, zebra's {@code O>*} lines). The shape is FRR's; fields emu has no counterpart for
 * (ifindex, bandwidth, graceful restart) are left out rather than made up.
 */
public final class ShowCommand implements Command {
  private final Ospf ospf;

  public ShowCommand(Ospf ospf) {
    this.ospf = ospf;
  }

  @Override
  public String name() {
    return "show";
  }

  @Override
  public String summary() {
    return "show ip ospf [neighbor|interface|database|route] | show ip route ospf   OSPF as FRR's vtysh shows it";
  }

  @Override
  public void run(List<String> args, CommandIo io) {
    String what = String.join(" ", args);
    List<String> out = switch (what) {
      case "ip ospf" -> process();
      case "ip ospf neighbor", "ip ospf neighbour", "ip ospf nei" -> neighbors();
      case "ip ospf interface", "ip ospf int" -> interfaces();
      case "ip ospf database", "ip ospf data" -> database();
      case "ip ospf route" -> ospfRoutes();
      case "ip route ospf" -> zebraRoutes();
      case "-h", "--help" -> List.of("usage: " + summary());
      default -> throw new UsageException("usage: " + summary());
    };
    out.forEach(io::out);
    io.exit(0);
  }

  private static String id(int a) {
    return Ipv4Address.format(a);
  }

  /** FRR's ospf_timer_dump / ospf_timeval_dump: 38.123s, 1m02s, 3h44m23s, 2d03h04m. */
  static String duration(long nanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(Math.max(0, nanos));
    long s = ms / 1000;
    if (s < 60) {
      return String.format("%d.%03ds", s, ms % 1000);
    }
    long m = s / 60;
    if (m < 60) {
      return String.format("%dm%02ds", m, s % 60);
    }
    long h = m / 60;
    if (h < 24) {
      return String.format("%dh%02dm%02ds", h, m % 60, s % 60);
    }
    return String.format("%dd%02dh%02dm", h / 24, h % 24, m % 60);
  }

  /** Up Time is printed without milliseconds by FRR. */
  static String upTime(long nanos) {
    long s = TimeUnit.NANOSECONDS.toSeconds(Math.max(0, nanos));
    if (s < 60) {
      return s + "s";
    }
    return duration(nanos);
  }

  private List<String> process() {
    List<String> out = new ArrayList<>();
    OspfCounters c = ospf.counters();
    out.add(" OSPF Routing Process, Router ID: " + id(ospf.routerId()));
    out.add(" Supports only single TOS (TOS0) routes");
    out.add(" This implementation conforms to RFC2328");
    out.add(" Initial SPF scheduling delay " + TimeUnit.NANOSECONDS.toMillis(Ospf.SPF_DELAY_NANOS) + " millisec(s)");
    out.add(" Minimum hold time between consecutive SPFs " + TimeUnit.NANOSECONDS.toMillis(Ospf.SPF_INITIAL_HOLD_NANOS)
        + " millisec(s)");
    out.add(" Maximum hold time between consecutive SPFs " + TimeUnit.NANOSECONDS.toMillis(Ospf.SPF_MAX_HOLD_NANOS)
        + " millisec(s)");
    long since = ospf.sinceLastSpfNanos();
    out.add(since < 0 ? " SPF algorithm has not been run" : " SPF algorithm last executed " + duration(since) + " ago");
    out.add(" SPF timer is inactive");
    out.add(" Refresh timer " + OspfLsa.LS_REFRESH_TIME + " secs");
    out.add(" Number of external LSA 0. Checksum Sum 0x00000000");
    out.add(" Number of areas attached to this router: 1");
    out.add("");
    out.add(" Area ID: 0.0.0.0 (Backbone)");
    int full = (int) ospf.neighbors().stream().filter(n -> n.state() == Ospf.NeighborState.FULL).count();
    out.add("   Number of interfaces in this area: Total: " + ospf.interfaces().size() + ", Active: "
        + ospf.interfaces().stream().filter(i -> i.state() != Ospf.InterfaceState.DOWN).count());
    out.add("   Number of fully adjacent neighbors in this area: " + full);
    out.add("   Area has no authentication");
    out.add("   SPF algorithm executed " + c.spfRuns + " times");
    out.add("   Number of LSA " + ospf.database().size());
    out.add("");
    out.add(" Packets sent: Hello " + c.sent[1] + ", DB Desc " + c.sent[2] + ", LS Req " + c.sent[3] + ", LS Upd "
        + c.sent[4] + ", LS Ack " + c.sent[5]);
    out.add(" Packets received: Hello " + c.received[1] + ", DB Desc " + c.received[2] + ", LS Req " + c.received[3]
        + ", LS Upd " + c.received[4] + ", LS Ack " + c.received[5]);
    out.add(" LSAs originated " + c.lsasOriginated + ", flooded " + c.lsasFlooded + ", retransmitted "
        + c.lsasRetransmitted + ", installed " + c.lsasInstalled);
    c.refusals().forEach((r, n) -> out.add(" Refused " + r.name().toLowerCase().replace('_', '-') + ": " + n));
    return out;
  }

  /**
   * A neighbour's state and the part it plays on its link, as {@code show ip ospf neighbor} writes
   * them: {@code Full/DR}, {@code 2-Way/DROther}, {@code Full/-} on a point-to-point link.
   */
  public static String state(Ospf ospf, Ospf.NeighborView n) {
    String role = n.role() == Ospf.InterfaceState.DR ? "DR" : n.role() == Ospf.InterfaceState.BACKUP ? "Backup"
        : "DROther";
    boolean p2p = ospf.interfaces().stream().anyMatch(i -> i.nic().equals(n.nic())
        && i.type() == Ospf.NetworkType.POINT_TO_POINT);
    return n.state().text() + "/" + (p2p ? "-" : role);
  }

  private List<String> neighbors() {
    List<String> out = new ArrayList<>();
    out.add("");
    out.add("Neighbor ID     Pri State           Up Time         Dead Time Address         Interface"
        + "                        RXmtL RqstL DBsmL");
    for (Ospf.NeighborView n : ospf.neighbors()) {
      String state = state(ospf, n);
      out.add(String.format("%-15s %3d %-15s %-15s %9s %-15s %-32s %5d %5d %5d", id(n.routerId()), n.priority(),
          state, upTime(n.upNanos()), duration(n.deadInNanos()), id(n.address()),
          n.nic() + ":" + id(n.nicAddress().address()), n.retransmit(), n.requests(), n.summary()));
    }
    out.add("");
    return out;
  }

  private List<String> interfaces() {
    List<String> out = new ArrayList<>();
    for (Ospf.InterfaceView i : ospf.interfaces()) {
      boolean up = i.state() != Ospf.InterfaceState.DOWN;
      out.add(i.nic() + " is " + (up ? "up" : "down"));
      out.add("  MTU " + i.mtu() + " bytes <" + (up ? "UP," : "") + "BROADCAST,RUNNING,MULTICAST>");
      out.add("  Internet Address " + i.address() + ", Broadcast " + id(i.address().broadcast()) + ", Area 0.0.0.0");
      out.add("  MTU mismatch detection: enabled");
      out.add("  Router ID " + id(ospf.routerId()) + ", Network Type " + i.type().frrName() + ", Cost: " + i.cost());
      out.add("  Transmit Delay is " + Ospf.INF_TRANS_DELAY + " sec, State " + i.state().text() + ", Priority "
          + i.priority());
      if (i.type() == Ospf.NetworkType.BROADCAST) {
        if (i.drRouterId() != 0) {
          out.add("  Designated Router (ID) " + id(i.drRouterId()) + " Interface Address " + id(i.drAddress()) + "/"
              + i.address().prefixLength());
        } else {
          out.add("  No designated router on this network");
        }
        if (i.bdrRouterId() != 0) {
          out.add("  Backup Designated Router (ID) " + id(i.bdrRouterId()) + ", Interface Address "
              + id(i.bdrAddress()));
        } else {
          out.add("  No backup designated router on this network");
        }
      }
      String groups = i.passive() || !up ? "" : i.state() == Ospf.InterfaceState.DR
          || i.state() == Ospf.InterfaceState.BACKUP ? " OSPFAllRouters OSPFDesignatedRouters" : " OSPFAllRouters";
      out.add("  Multicast group memberships:" + groups);
      out.add("  Timer intervals configured, Hello " + i.helloSeconds() + "s, Dead " + i.deadSeconds() + "s, Wait "
          + i.deadSeconds() + "s, Retransmit " + TimeUnit.NANOSECONDS.toSeconds(Ospf.RXMT_NANOS));
      out.add(i.passive() ? "    No Hellos (Passive interface)" : i.helloDueNanos() < 0 ? "    Hello not due"
          : "    Hello due in " + duration(i.helloDueNanos()));
      out.add("  Neighbor Count is " + i.neighbors() + ", Adjacent neighbor count is " + i.adjacent());
      out.add("");
    }
    return out;
  }

  private List<String> database() {
    List<String> out = new ArrayList<>();
    out.add("");
    out.add("       OSPF Router with ID (" + id(ospf.routerId()) + ")");
    List<Ospf.LsaView> db = ospf.database();
    for (int type : new int[] {OspfLsa.TYPE_ROUTER, OspfLsa.TYPE_NETWORK, OspfLsa.TYPE_SUMMARY_NETWORK,
        OspfLsa.TYPE_SUMMARY_ASBR, OspfLsa.TYPE_AS_EXTERNAL}) {
      List<Ospf.LsaView> of = db.stream().filter(l -> l.type() == type).toList();
      if (of.isEmpty()) {
        continue;
      }
      out.add("");
      out.add("                " + switch (type) {
        case OspfLsa.TYPE_ROUTER -> "Router Link States (Area 0.0.0.0)";
        case OspfLsa.TYPE_NETWORK -> "Net Link States (Area 0.0.0.0)";
        case OspfLsa.TYPE_SUMMARY_NETWORK -> "Summary Link States (Area 0.0.0.0)";
        case OspfLsa.TYPE_SUMMARY_ASBR -> "ASBR-Summary Link States (Area 0.0.0.0)";
        default -> "AS External Link States";
      });
      out.add("");
      out.add("Link ID         ADV Router      Age  Seq#       CkSum" + (type == OspfLsa.TYPE_ROUTER ? "  Link count"
          : ""));
      for (Ospf.LsaView l : of) {
        String line = String.format("%-15s %-15s %4d 0x%08x 0x%04x", id(l.linkStateId()), id(l.advertisingRouter()),
            l.age(), l.sequence(), l.checksum());
        if (l.lsa().body() instanceof OspfRouterLsa.Repr r) {
          line += " " + r.links().size();
        }
        out.add(line);
      }
    }
    out.add("");
    return out;
  }

  private List<String> ospfRoutes() {
    List<String> out = new ArrayList<>();
    out.add("============ OSPF network routing table ============");
    for (Route r : ospf.routes()) {
      List<Route> paths = r.multipath() == null ? List.of(r) : r.multipath();
      out.add(String.format("N    %-22s [%d] area: 0.0.0.0", r.prefix(), r.metric()));
      for (Route p : paths) {
        out.add("                           via " + id(p.gateway()) + ", " + p.nic().name());
      }
    }
    out.add("");
    return out;
  }

  /** zebra's {@code show ip route ospf}: the codes legend, then O>* lines (selected, in the FIB). */
  private List<String> zebraRoutes() {
    List<String> out = new ArrayList<>();
    out.add("Codes: K - kernel route, C - connected, S - static, R - RIP,");
    out.add("       O - OSPF, I - IS-IS, B - BGP, E - EIGRP, N - NHRP,");
    out.add("       T - Table, v - VNC, V - VNC-Direct, A - Babel, F - PBR,");
    out.add("       f - OpenFabric,");
    out.add("       > - selected route, * - FIB route, q - queued, r - rejected, b - backup");
    out.add("       t - trapped, o - offload failure");
    out.add("");
    for (Route r : ospf.routes()) {
      List<Route> paths = r.multipath() == null ? List.of(r) : r.multipath();
      String head = "O>* " + r.prefix() + " [110/" + r.metric() + "]";
      for (int k = 0; k < paths.size(); k++) {
        Route p = paths.get(k);
        String via = "via " + id(p.gateway()) + ", " + p.nic().name() + ", weight 1";
        out.add(k == 0 ? head + " " + via : "  *" + " ".repeat(head.length() - 3) + " " + via);
      }
    }
    return out;
  }
}
