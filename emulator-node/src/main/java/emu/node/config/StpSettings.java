package emu.node.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A switch's spanning tree as the topology file sets it ({@code stp: false}, or {@code stp:
 * {priority: 4096, hello: 2, maxAge: 20, forwardDelay: 15, ports: {p1: {cost: 2000, priority:
 * 64}}}}); unset values are IEEE 802.1D-2004's defaults. The control plane has checked the values;
 * the node checks them again when it builds its {@code StpConfig}.
 *
 * @param enabled false: a plain learning bridge that floods BPDUs; null or true: RSTP
 * @param forceVersion 0 to speak only 802.1D-1998 STP, null or 2 for RSTP
 * @param ports per-port path cost and port priority, by port name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StpSettings(Boolean enabled, Integer priority, Integer hello, Integer maxAge, Integer forwardDelay,
                          Integer forceVersion, Map<String, Port> ports) {
  /** A port's path cost (default 20000, 802.1D-2004's for 1 Gb/s) and priority (default 128). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Port(Integer cost, Integer priority) {}

  public static final StpSettings OFF = new StpSettings(false, null, null, null, null, null, null);

  /** True unless {@code enabled} is false (not a JSON property: {@code enabled} is). */
  @JsonIgnore
  public boolean isEnabled() {
    return enabled == null || enabled;
  }
}
