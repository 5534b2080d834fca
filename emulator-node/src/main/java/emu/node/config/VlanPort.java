package emu.node.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A switch port's VLANs as the topology sets them: {@code vlan: 10} (an access port) or {@code
 * trunk: [10, 20], native: 1} (a trunk, ranges already expanded). The control plane has checked
 * them (VIDs 1..4094, one of the two forms); the node checks again as it builds its PortVlans.
 *
 * @param vlan the access port's VLAN, or null for a trunk
 * @param trunk the VLANs a trunk carries tagged, ascending, or null for an access port
 * @param nativeVlan the trunk's VLAN carried untagged, or null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VlanPort(Integer vlan, List<Integer> trunk, Integer nativeVlan) {
  /** An access port in {@code vid}. */
  public static VlanPort access(int vid) {
    return new VlanPort(vid, null, null);
  }

  /** A trunk. */
  public static VlanPort trunk(List<Integer> vids, Integer nativeVid) {
    return new VlanPort(null, List.copyOf(vids), nativeVid);
  }
}
