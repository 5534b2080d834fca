package emu.control.linux;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a linux node becomes on this machine: a network namespace, an underlay veth pair to the
 * root namespace (link-local addresses, never the emulated ones), and one Linux VXLAN device per
 * link (RFC 7348, {@code dstport 4789}) whose remote is the emu end of that link; then the
 * topology's addresses, routes, resolver and hosts inside the namespace.
 *
 * @param netns the namespace's name ({@code emu-LAB-NODE})
 * @param hostVeth the veth end that stays in the root namespace
 * @param nsVeth the veth end moved into the namespace
 * @param hostUnderlay the root end's address (a /24 of 169.254.0.0/16), e.g. "169.254.101.1/24"
 * @param nsUnderlay the namespace end's address, e.g. "169.254.101.2/24"
 * @param interfaces the VXLAN devices: the topology's interface names and addresses
 */
public record LinuxPlan(String lab, String node, String netns, String hostVeth, String nsVeth, String hostUnderlay,
                        String nsUnderlay, List<Iface> interfaces, List<Route> routes, String gateway,
                        String nameserver, Map<String, String> hosts) {

  /**
   * One interface: a VXLAN device {@code name} with VNI {@code vni} toward {@code remote}
   * (the emu end's underlay address, bound to port 4789 on the root side).
   */
  public record Iface(String name, String mac, String address, int mtu, int vni, String remote) {}

  /** A static route inside the namespace. */
  public record Route(String to, String via) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public void write(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  public static LinuxPlan read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), LinuxPlan.class);
  }
}
