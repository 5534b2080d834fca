package emu.node.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * DHCPv4 on one interface (RFC 2131), already checked by the control plane: a server's scope for
 * the interface's subnet (the pool and the addresses below lie in it) and scopes for subnets
 * behind relay agents, or a relay agent (RFC 1542; {@code relay} set, nothing else).
 *
 * @param poolStart first address of the pool (dotted quad), or null for a server of relayed
 *     scopes only, or a relay
 * @param poolEnd last address of the pool, inclusive
 * @param leaseSeconds lease time (option 51); T1 is half of it, T2 seven eighths (RFC 2131 4.4.5)
 * @param gateway the router offered (option 3), or null for none
 * @param dns the DNS servers offered (option 6), or null for none
 * @param domain the domain name offered (option 15), or null
 * @param statics client MAC (aa:bb:cc:dd:ee:ff) to the address it always gets, or null
 * @param subnet a relayed scope's subnet (a.b.c.d/n, the one a relay's giaddr lies in); null for
 *     the interface's own
 * @param relayed the scopes this server serves through relay agents (each with {@code subnet}
 *     set), or null
 * @param relay the DHCP servers this interface relays clients' requests to (a relay agent), or
 *     null
 * @param agentInfo true if the relay adds option 82 (RFC 3046) with the interface's name as
 *     circuit-id, null or false if not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DhcpConfig(String poolStart, String poolEnd, long leaseSeconds, String gateway, List<String> dns,
                         String domain, Map<String, String> statics, String subnet, List<DhcpConfig> relayed,
                         List<String> relay, Boolean agentInfo) {
  /** A server's scope for the interface's subnet. */
  public DhcpConfig(String poolStart, String poolEnd, long leaseSeconds, String gateway, List<String> dns,
                    String domain, Map<String, String> statics) {
    this(poolStart, poolEnd, leaseSeconds, gateway, dns, domain, statics, null, null, null, null);
  }

  /** A relay agent to {@code servers}, adding option 82 if {@code agentInfo}. */
  public static DhcpConfig relayTo(List<String> servers, boolean agentInfo) {
    return new DhcpConfig(null, null, 0, null, null, null, null, null, null, List.copyOf(servers),
        agentInfo ? Boolean.TRUE : null);
  }

  /** The same scope with other static bindings. */
  public DhcpConfig withStatics(Map<String, String> newStatics) {
    return new DhcpConfig(poolStart, poolEnd, leaseSeconds, gateway, dns, domain, newStatics, subnet, relayed, relay,
        agentInfo);
  }

  /** The same server with other relayed scopes. */
  public DhcpConfig withRelayed(List<DhcpConfig> newRelayed) {
    return new DhcpConfig(poolStart, poolEnd, leaseSeconds, gateway, dns, domain, statics, subnet, newRelayed, relay,
        agentInfo);
  }

  /** True if the interface is a relay agent rather than a server. */
  public boolean relaying() {
    return relay != null;
  }
}
