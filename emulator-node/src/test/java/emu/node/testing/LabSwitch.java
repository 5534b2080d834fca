package emu.node.testing;

import emu.node.bridge.BridgePort;
import emu.node.bridge.LearningBridge;
import emu.node.bridge.stp.StpPort;
import emu.node.trace.MemoryTracer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A learning bridge in a {@link VirtualLab}, with its own tracer and a recorder on every port. */
public final class LabSwitch {
  private final String name;
  private final LearningBridge bridge;
  private final MemoryTracer tracer;
  private final Map<String, RecordingEndpoint> recorders = new LinkedHashMap<>();

  private final long mac;

  LabSwitch(String name, LearningBridge bridge, MemoryTracer tracer) {
    this(name, bridge, tracer, 0);
  }

  LabSwitch(String name, LearningBridge bridge, MemoryTracer tracer, long mac) {
    this.mac = mac;
    this.name = name;
    this.bridge = bridge;
    this.tracer = tracer;
  }

  BridgePort addPort(String portName, RecordingEndpoint endpoint) {
    recorders.put(portName, endpoint);
    BridgePort p = bridge.addPort(portName, endpoint);
    if (bridge.stp() != null) {
      bridge.stp().addPort(p, mac + p.index(), 128, 20000);
    }
    return p;
  }

  public String name() {
    return name;
  }

  public LearningBridge bridge() {
    return bridge;
  }

  /** The spanning tree's view of {@code portName}. */
  public StpPort stp(String portName) {
    return bridge.stp().port(port(portName));
  }

  public MemoryTracer tracer() {
    return tracer;
  }

  public BridgePort port(String portName) {
    return bridge.port(portName);
  }

  /** Frames the switch sent out of {@code portName}. */
  public List<CapturedFrame> sent(String portName) {
    return recorders.get(portName).sent();
  }

  /** Frames the switch received on {@code portName}. */
  public List<CapturedFrame> received(String portName) {
    return recorders.get(portName).received();
  }

  public void clearRecords() {
    recorders.values().forEach(RecordingEndpoint::clear);
    tracer.clear();
  }

  @Override
  public String toString() {
    return name;
  }
}
