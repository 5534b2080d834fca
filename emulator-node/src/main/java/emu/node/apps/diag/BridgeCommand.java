package emu.node.apps.diag;

import emu.link.wire.MacAddress;
import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
import emu.node.bridge.PortVlans;
import emu.node.bridge.StormControl;
import emu.node.bridge.stp.Rstp;
import emu.node.bridge.stp.StpConfig;
import emu.node.bridge.stp.StpPort;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import java.util.ArrayList;
import java.util.List;

/**
 * On a switch: {@code bridge fdb} (the learned MAC table, in iproute2's {@code bridge fdb}
 * shape), {@code bridge link} (each port's bridge state) and {@code ip [-s] link} for its ports,
 * as iproute2 shows the ports of a Linux bridge.
 */
public final class BridgeCommand implements Command {
  private final LearningBridge bridge;
  private final String verb;
  private final List<String> macs;

  /** {@code verb} is "bridge" or "ip". */
  public BridgeCommand(LearningBridge bridge, String verb) {
    this(bridge, verb, List.of());
  }

  /** {@code macs}: each port's MAC, in port order (null or missing: not shown). */
  public BridgeCommand(LearningBridge bridge, String verb, List<String> macs) {
    this.bridge = bridge;
    this.verb = verb;
    this.macs = macs;
  }

  @Override
  public String name() {
    return verb;
  }

  @Override
  public String summary() {
    return verb.equals("bridge") ? "bridge fdb|link|vlan|stp   learned MAC addresses and their ports; the ports' state;"
        + " each port's VLANs; the spanning tree (root, each port's role)"
        : "ip [-s] link   the switch's ports";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    List<String> args = new ArrayList<>(argv);
    boolean stats = args.remove("-s");
    String object = args.isEmpty() ? "" : args.get(0);
    if (verb.equals("bridge") && object.equals("fdb")) {
      for (LearningBridge.FdbEntry e : bridge.fdb()) {
        io.out(MacAddress.format(e.mac()) + " dev " + e.port().name() + (bridge.vlanAware() ? " vlan " + e.vid() : "")
            + " master " + bridge.name());
      }
      io.exit(0);
      return;
    }
    if (verb.equals("bridge") && object.equals("link")) {
      Rstp stp = bridge.stp();
      for (BridgePort p : bridge.ports()) {
        StpPort sp = stp == null ? null : stp.port(p);
        // Without spanning tree, a Linux bridge's defaults; with it, 802.1D-2004's port priority and path cost.
        String state = sp != null ? sp.linuxState() : p.isUp() ? "forwarding" : "disabled";
        String prioCost = sp != null ? " priority " + (sp.portId() >> 8) + " cost " + sp.pathCost()
            : " priority 32 cost 100";
        io.out(p.index() + ": " + p.name() + ": <" + (p.isUp() ? "BROADCAST,MULTICAST,UP,LOWER_UP"
            : "NO-CARRIER,BROADCAST,MULTICAST,UP") + "> mtu " + p.mtu() + " master " + bridge.name() + " state "
            + state + prioCost + " ");
      }
      io.exit(0);
      return;
    }
    if (verb.equals("bridge") && object.equals("vlan") && (args.size() == 1 || args.get(1).equals("show"))) {
      vlan(io);
      return;
    }
    if (verb.equals("bridge") && object.equals("stp")) {
      stp(io);
      return;
    }
    if (verb.equals("ip") && !object.isEmpty() && "link".startsWith(object)) {
      int i = 0;
      for (BridgePort p : bridge.ports()) {
        String mac = i < macs.size() ? macs.get(i) : null;
        i++;
        IpCommand.linkLines(p.index(), p.name(), p.isUp(), p.mtu(), bridge.name(),
            mac == null ? -1 : MacAddress.parse(mac).bits(), true, io);
        if (stats) {
          IpCommand.statBlocks(p.rxBytes, p.rxFrames, 0, p.rxDropped, p.txBytes, p.txFrames, 0, 0, io);
          if (p.storm() != null) {
            stormLines(p.storm(), io);
          }
        }
      }
      io.exit(0);
      return;
    }
    io.out("usage: " + summary() + (verb.equals("ip") ? " (a switch has no addresses, routes or neighbours)" : ""));
    io.exit(2);
  }

  /**
   * {@code bridge vlan [show]}: each port's VLANs as iproute2 prints them (port name, then one VLAN
   * a line, flagged PVID where untagged frames arriving go, Egress Untagged where frames leave
   * without the tag), a blank line after each port.
   */
  private void vlan(CommandIo io) {
    if (!bridge.vlanAware()) {
      io.out(bridge.name() + ": no port has a VLAN, so the switch is not VLAN-aware: frames pass unchanged,"
          + " tagged or not");
      io.exit(0);
      return;
    }
    io.out(String.format("%-16s  %-9s", "port", "vlan-id"));
    for (BridgePort p : bridge.ports()) {
      PortVlans v = p.vlans();
      String first = p.name();
      for (int vid : v.vids()) {
        io.out(String.format("%-16s  %d%s%s", first, vid, v.pvid() == vid ? " PVID" : "",
            v.isUntagged(vid) ? " Egress Untagged" : ""));
        first = "";
      }
      io.out("");
    }
    io.exit(0);
  }

  /** A port's storm control under its counters: each policed class's rate and the frames dropped over it. */
  private static void stormLines(StormControl storm, CommandIo io) {
    StringBuilder line = new StringBuilder("    storm control:");
    for (StormControl.Kind k : StormControl.Kind.all()) {
      if (storm.rate(k) != null) {
        line.append(' ').append(k.word()).append(' ').append(storm.rate(k)).append("pps dropped ")
            .append(storm.drops(k));
      }
    }
    io.out(line.toString());
  }

  /** {@code bridge stp}: the spanning tree as {@code mstpctl showbridge} and {@code showport} tell it, briefly. */
  private void stp(CommandIo io) {
    Rstp stp = bridge.stp();
    if (stp == null) {
      io.out(bridge.name() + ": spanning tree is off (stp: false)");
      io.exit(0);
      return;
    }
    StpConfig c = stp.config();
    io.out(bridge.name() + " " + (c.forceVersion() < 2 ? "stp" : "rstp") + " bridge id "
        + Rstp.formatId(stp.bridgeId()));
    io.out("  designated root " + Rstp.formatId(stp.rootId()) + (stp.isRoot() ? " (this bridge)"
        : " root port " + stp.rootPort().port().name() + " path cost " + stp.rootPathCost()));
    io.out("  hello " + c.hello() + " max age " + c.maxAge() + " forward delay " + c.forwardDelay()
        + " topology changes " + stp.counters().topologyChanges);
    for (StpPort p : stp.ports()) {
      io.out(String.format("  %-8s %-10s %-11s %s%s", p.port().name(), p.role().word(), p.linuxState(),
          String.format("%x.%03x", p.portId() >> 12, p.portId() & 0xFFF), (p.operEdge() ? " edge" : "")
              + (p.legacy() ? " stp-peer" : "")));
    }
    io.exit(0);
  }
}
