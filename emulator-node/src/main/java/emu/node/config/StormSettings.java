package emu.node.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A switch port's storm control as the topology file sets it ({@code storm: {broadcast: 1000pps,
 * multicast: 1000pps, unknown-unicast: 1000pps}}, any subset): the most frames a second of each
 * class the port takes in; an unset class is not policed. The control plane has checked the
 * values (whole frames a second, at least 1) and merged a switch's default with each port's own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StormSettings(Long broadcast, Long multicast, Long unknownUnicast) {
  public StormSettings {
    for (Long pps : new Long[] {broadcast, multicast, unknownUnicast}) {
      if (pps != null && pps < 1) {
        throw new IllegalArgumentException("a storm control rate is at least 1 frame a second, not " + pps);
      }
    }
  }

  /** These settings, each class they leave unset taken from {@code base} (a port's own over its switch's default). */
  public StormSettings over(StormSettings base) {
    if (base == null) {
      return this;
    }
    return new StormSettings(broadcast != null ? broadcast : base.broadcast,
        multicast != null ? multicast : base.multicast, unknownUnicast != null ? unknownUnicast : base.unknownUnicast);
  }

  /** True if no class is policed. */
  @JsonIgnore
  public boolean isEmpty() {
    return broadcast == null && multicast == null && unknownUnicast == null;
  }
}
