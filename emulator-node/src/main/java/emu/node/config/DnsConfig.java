package emu.node.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A node's DNS server role. {@code authoritative}: serves the zones given (RFC 1035 master-file
 * text, already checked by the control plane). {@code forwarder}: a caching forwarder (the
 * seed's "designated DNS server" clients talk to) that sends what it cannot answer from its
 * cache to {@code upstream}.
 *
 * @param role "authoritative" or "forwarder"
 * @param zones for authoritative: the zones with their origin and master-file text
 * @param upstream for forwarder: the address of the server it forwards to, of either family (a
 *     link-local IPv6 one with its interface, {@code fe80::53%eth0}); IPv6 needs IPv6 on the node
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DnsConfig(String role, List<Zone> zones, String upstream) {
  public static final String AUTHORITATIVE = "authoritative";
  public static final String FORWARDER = "forwarder";

  /** One zone: its origin (e.g. "corp.com.") and its master-file text; {@code file} names it in messages. */
  public record Zone(String origin, String file, String text) {}
}
