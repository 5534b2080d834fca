package emu.control.plan;

import emu.node.config.NodeConfig;
import java.nio.file.Path;

/**
 * One node of a planned lab: its configuration, where that is written, and where it logs;
 * {@code host} is the machine it runs on, or null for the control plane's.
 */
public record PlannedNode(String name, String kind, NodeConfig config, Path configFile, Path logFile,
                          emu.control.topology.HostSpec host) {
  public PlannedNode(String name, String kind, NodeConfig config, Path configFile, Path logFile) {
    this(name, kind, config, configFile, logFile, null);
  }

  public String mgmt() {
    return config.management().host() + ":" + config.management().port();
  }
}
