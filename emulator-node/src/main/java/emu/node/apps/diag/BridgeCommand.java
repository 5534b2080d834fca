package emu.node.apps.diag;

import emu.link.wire.MacAddress;
import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
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
    return verb.equals("bridge") ? "bridge fdb|link [show]   learned MAC addresses and their ports; the ports' state"
        : "ip [-s] link   the switch's ports";
  }

  @Override
  public void run(List<String> argv, CommandIo io) {
    List<String> args = new ArrayList<>(argv);
    boolean stats = args.remove("-s");
    String object = args.isEmpty() ? "" : args.get(0);
    if (verb.equals("bridge") && object.equals("fdb")) {
      for (LearningBridge.FdbEntry e : bridge.fdb()) {
        io.out(MacAddress.format(e.mac()) + " dev " + e.port().name() + " master " + bridge.name());
      }
      io.exit(0);
      return;
    }
    if (verb.equals("bridge") && object.equals("link")) {
      for (BridgePort p : bridge.ports()) {
        io.out(p.index() + ": " + p.name() + ": <" + (p.isUp() ? "BROADCAST,MULTICAST,UP,LOWER_UP"
            : "NO-CARRIER,BROADCAST,MULTICAST,UP") + "> mtu " + p.mtu() + " master " + bridge.name() + " state "
            + (p.isUp() ? "forwarding" : "disabled") + " priority 32 cost 100 ");
      }
      io.exit(0);
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
        }
      }
      io.exit(0);
      return;
    }
    io.out("usage: " + summary() + (verb.equals("ip") ? " (a switch has no addresses, routes or neighbours)" : ""));
    io.exit(2);
  }
}
