package emu.control.lab;

import emu.node.config.NodeConfig;
import java.nio.file.Path;

/** One node of a planned lab: its configuration, where that is written, and where it logs. */
public record PlannedNode(String name, String kind, NodeConfig config, Path configFile, Path logFile) {
  public String mgmt() {
    return config.management().host() + ":" + config.management().port();
  }
}
