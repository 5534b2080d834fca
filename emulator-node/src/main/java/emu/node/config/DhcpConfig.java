package emu.node.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A DHCPv4 server on one interface (RFC 2131), already checked by the control plane: the pool
 * and the addresses below lie in the interface's subnet.
 *
 * @param poolStart first address of the pool (dotted quad)
 * @param poolEnd last address of the pool, inclusive
 * @param leaseSeconds lease time (option 51); T1 is half of it, T2 seven eighths (RFC 2131 4.4.5)
 * @param gateway the router offered (option 3), or null for none
 * @param dns the DNS servers offered (option 6), or null for none
 * @param domain the domain name offered (option 15), or null
 * @param statics client MAC (aa:bb:cc:dd:ee:ff) to the address it always gets, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DhcpConfig(String poolStart, String poolEnd, long leaseSeconds, String gateway, List<String> dns,
                         String domain, Map<String, String> statics) {}
