package emu.control.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A point-to-point link between two node interfaces (one UDP tunnel), as declared in the file.
 *
 * @param mtu or null for the default
 * @param line where the link is declared, for messages
 * @param impairments tc-netem words (delay, loss, ...) to their values as written, in file order,
 *     applied in both directions; an interface's own words override them key by key (see
 *     {@link Topology#effectiveImpairments}); empty if none, never null
 */
public record LinkSpec(Endpoint a, Endpoint b, Integer mtu, int line, Map<String, String> impairments,
                       String framing, Integer vni) {
  /** A raw (not VXLAN) link. */
  public LinkSpec(Endpoint a, Endpoint b, Integer mtu, int line, Map<String, String> impairments) {
    this(a, b, mtu, line, impairments, "raw", null);
  }

  /** True if the link speaks VXLAN (RFC 7348) rather than raw frames. */
  public boolean vxlan() {
    return "vxlan".equals(framing);
  }

  public LinkSpec {
    framing = framing == null ? "raw" : framing;
    impairments = Collections.unmodifiableMap(impairments == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(impairments));
  }

  /** A link without impairments. */
  public LinkSpec(Endpoint a, Endpoint b, Integer mtu, int line) {
    this(a, b, mtu, line, Map.of());
  }

  /** True if {@code node:iface} is one of its ends. */
  public boolean connects(String node, String iface) {
    return a.node().equals(node) && a.iface().equals(iface) || b.node().equals(node) && b.iface().equals(iface);
  }

  /** One end of a link, written {@code node:iface} in the file. */
  public record Endpoint(String node, String iface) {
    @Override
    public String toString() {
      return node + ":" + iface;
    }
  }
}
