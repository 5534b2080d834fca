package emu.node.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Source NAT (Linux's masquerade) on a router's outside interface, already checked by the
 * control plane.
 *
 * @param max the most mappings the table holds; a new flow past it is dropped and counted
 * @param forwards destination NAT: packets to the interface's address and these ports go to an
 *     inside address (port forwards), or null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NatConfig(int max, List<Forward> forwards) {
  /** The table size Linux's nf_conntrack_max defaults to on a small machine. */
  public static final int DEFAULT_MAX = 65536;

  /**
   * One port forward: {@code proto} tcp or udp, arriving on {@code port} of the outside address,
   * sent to {@code to}:{@code toPort}.
   */
  public record Forward(String proto, int port, String to, int toPort) {}
}
