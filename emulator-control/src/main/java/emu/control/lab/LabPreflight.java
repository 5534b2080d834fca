package emu.control.lab;

import emu.control.plan.LabKeys;
import emu.control.plan.LabPlan;
import emu.control.process.NodeJava;
import emu.control.process.NodeProcesses;
import emu.control.process.NodeStartException;
import emu.control.process.RemoteNodes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What is checked before a lab's first node starts, so that a start that cannot succeed fails at
 * once, naming what to fix, and leaves nothing behind: the settings read from the environment,
 * and every machine nodes are placed on.
 */
public final class LabPreflight {
  private LabPreflight() {}

  /**
   * Checks every host nodes are placed on (ssh login, java), all at once, before any node starts:
   * a host that cannot run its nodes fails the start naming the host and its nodes.
   */
  static void hosts(LabPlan plan) throws LabException {
    Map<emu.control.topology.HostSpec, List<String>> byHost = new java.util.LinkedHashMap<>();
    plan.nodes().stream().filter(n -> n.host() != null)
        .forEach(n -> byHost.computeIfAbsent(n.host(), h -> new ArrayList<>()).add(n.name()));
    byte[] table;
    try {
      table = byHost.isEmpty() ? null : plan.hosts().json().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new LabException("cannot write the lab's name table: " + e.getMessage(), e);
    }
    List<CompletableFuture<String>> checks = byHost.entrySet().stream().map(e -> CompletableFuture.supplyAsync(() -> {
      try {
        RemoteNodes.preflight(e.getKey(), e.getValue());
        RemoteNodes.copyNameTable(e.getKey(), plan.name(), table); // once per host, for all its nodes
        return (String) null;
      } catch (NodeStartException ex) {
        return ex.getMessage();
      }
    })).toList();
    List<String> problems = checks.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).toList();
    if (!problems.isEmpty()) {
      throw new LabException(String.join("\n", problems));
    }
  }

  /**
   * Checks the settings from the environment a lab's start reads ({@code EMU_START_CONCURRENCY},
   * {@code EMU_NODES_PER_JVM}, {@code EMU_LAB_KEYS}, {@code EMU_TRACE_BUDGET},
   * {@code EMU_NODE_WARMUP}, {@code EMU_JAVA}), so that the command line refuses a bad one before
   * anything starts (the lab's control process would only fail later, less clearly, or a node
   * would start otherwise than asked and say so only in its log).
   */
  public static void settings() throws LabException {
    StartPolicy.startConcurrency(0);
    StartPolicy.nodesPerJvm();
    try {
      LabKeys.keep();
      emu.control.plan.TraceBudget.get();
      NodeProcesses.warmupLevel();
      NodeJava.chosen();
    } catch (IllegalArgumentException | NodeJava.BadJavaException e) {
      throw new LabException(e.getMessage());
    }
  }
}
