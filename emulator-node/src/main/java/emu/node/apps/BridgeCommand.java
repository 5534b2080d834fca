package emu.node.apps;

import emu.link.wire.MacAddress;
import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
import java.util.ArrayList;
import java.util.List;

/**
 * On a switch: {@code bridge fdb} (the learned MAC table, in iproute2's {@code bridge fdb}
 * shape, with seconds since last seen) and {@code ip [-s] link} for its ports.
 */
public final class BridgeCommand implements Command {
  private final LearningBridge bridge;
  private final String verb;

  /** {@code verb} is "bridge" or "ip". */
  public BridgeCommand(LearningBridge bridge, String verb) {
    this.bridge = bridge;
    this.verb = verb;
  }

  @Override
  public String name() {
    return verb;
  }

  @Override
  public String summary() {
    return verb.equals("bridge") ? "bridge fdb [show]   learned MAC addresses and their ports"
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
    if (verb.equals("ip") && !object.isEmpty() && "link".startsWith(object)) {
      for (BridgePort p : bridge.ports()) {
        io.out(p.index() + ": " + p.name() + ": <BROADCAST,MULTICAST,UP,LOWER_UP> mtu " + p.mtu()
            + " master " + bridge.name() + " state forwarding");
        if (stats) {
          io.out("    RX:  bytes packets dropped   TX:  bytes packets");
          io.out(String.format("    %10d %7d %7d   %10d %7d", p.rxBytes, p.rxFrames, p.rxDropped, p.txBytes, p.txFrames));
        }
      }
      io.exit(0);
      return;
    }
    io.out("usage: " + summary() + (verb.equals("ip") ? " (a switch has no addresses, routes or neighbours)" : ""));
    io.exit(2);
  }
}
