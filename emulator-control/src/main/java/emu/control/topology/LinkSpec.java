package emu.control.topology;

/**
 * A point-to-point link between two node interfaces (one UDP tunnel), as declared in the file.
 *
 * @param mtu or null for the default
 * @param line where the link is declared, for messages
 */
public record LinkSpec(Endpoint a, Endpoint b, Integer mtu, int line) {

  /** One end of a link, written {@code node:iface} in the file. */
  public record Endpoint(String node, String iface) {
    @Override
    public String toString() {
      return node + ":" + iface;
    }
  }
}
