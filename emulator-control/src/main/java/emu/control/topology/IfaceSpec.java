package emu.control.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One interface of a node as the topology file declares it (or, for a switch port only named by
 * a link, as it is created implicitly): what the launcher needs to configure it.
 *
 * @param address a.b.c.d/n, or null (switch ports)
 * @param mac aa:bb:cc:dd:ee:ff as written, or null to let the node choose
 * @param port the UDP port its link socket binds, or null for any
 * @param mtu or null for the link's (or the default) MTU
 * @param impairments tc-netem words (delay, loss, ...) to their values as written, in file order,
 *     for this interface's egress only; they override the link's words key by key (see
 *     {@link Topology#effectiveImpairments}); empty if none, never null
 */
public record IfaceSpec(String name, String address, String mac, Integer port, Integer mtu,
                        Map<String, String> impairments, String peer) {
  /** An interface of an emu, linux or switch node (no outside peer). */
  public IfaceSpec(String name, String address, String mac, Integer port, Integer mtu,
                   Map<String, String> impairments) {
    this(name, address, mac, port, mtu, impairments, null);
  }

  public IfaceSpec {
    impairments = Collections.unmodifiableMap(impairments == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(impairments));
  }

  /** An interface without impairments. */
  public IfaceSpec(String name, String address, String mac, Integer port, Integer mtu) {
    this(name, address, mac, port, mtu, Map.of());
  }
}
