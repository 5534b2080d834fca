package emu.node.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A router's OSPFv2 (emu.node.ospf), as the control plane resolved it from the topology's
 * {@code ospf:} settings: the router ID (null: the highest interface address) and every interface
 * OSPF runs on, with its settings filled in (FRR's defaults where the file says nothing).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OspfConfig(String routerId, List<Iface> interfaces) {
  public static final int DEFAULT_COST = 10;
  public static final int DEFAULT_HELLO = 10;
  public static final int DEFAULT_DEAD = 40;
  public static final int DEFAULT_PRIORITY = 1;
  public static final String BROADCAST = "broadcast";
  public static final String POINT_TO_POINT = "point-to-point";

  public OspfConfig {
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
  }

  /**
   * @param network {@link #BROADCAST} or {@link #POINT_TO_POINT}
   * @param passive advertised as a stub, no Hellos sent or taken
   */
  public record Iface(String name, int cost, int hello, int dead, int priority, boolean passive, String network) {}
}
