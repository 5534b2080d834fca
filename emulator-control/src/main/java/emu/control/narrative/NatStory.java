package emu.control.narrative;

import emu.node.event.NatEvent;

/**
 * The words for a router's address translation: what it rewrites and why (the outside world
 * routes only the router's own address back), whether the mapping was new or found, port
 * forwards, hairpins, translated ICMP errors, and mappings that time out.
 */
final class NatStory implements NatEvent.Visitor<String> {

  private static String endpoint(String addr, int port, String proto) {
    return "icmp".equals(proto) ? addr + " id " + port : addr + ":" + port;
  }

  @Override
  public String serving(NatEvent.Serving e) {
    return "masquerades what it forwards out of " + e.dev() + (e.address() == null ? "" : " as " + e.address())
        + " (source NAT; endpoint-independent mapping and filtering, RFC 4787; at most " + e.max() + " mappings)"
        + (e.forwards() == null || e.forwards().isEmpty() ? "" : "; port forwards " + String.join(", ", e.forwards()));
  }

  @Override
  public String translated(NatEvent.Translated e) {
    String mapping = switch (e.mapping()) {
      case "new" -> "new mapping";
      case "forward" -> "port forward";
      default -> "mapping found";
    };
    String peer = "icmp".equals(e.proto()) ? e.peerAddr() : e.peerAddr() + ":" + e.peerPort();
    String before = endpoint(e.beforeAddr(), e.beforePort(), e.proto());
    String after = endpoint(e.afterAddr(), e.afterPort(), e.proto());
    return switch (e.direction()) {
      case "out" -> "rewrites " + before + " -> " + after + " (" + mapping + ", " + e.what() + " to " + peer + ")"
          + ("new".equals(e.mapping()) ? ": the outside routes only " + e.afterAddr() + " back, so the packet leaves"
          + " " + e.dev() + " with the router's address as its source" : "");
      case "in" -> "rewrites " + before + " -> " + after + " (" + mapping + ", " + e.what() + " from " + peer + ")";
      default -> "hairpins " + e.what() + " for " + before + " back inside to " + after + ", from " + peer
          + " (the sender's own mapping, RFC 4787 REQ-9)";
    };
  }

  @Override
  public String icmpError(NatEvent.IcmpError e) {
    String kind = switch (e.icmpType()) {
      case 3 -> "destination unreachable";
      case 11 -> "time exceeded";
      case 12 -> "parameter problem";
      default -> "type " + e.icmpType();
    };
    return "translates an ICMP " + kind + " (code " + e.icmpCode() + ") " + ("in".equals(e.direction())
        ? "for " + e.beforeAddr() + " back to " + e.afterAddr() : "from " + e.beforeAddr() + " as " + e.afterAddr())
        + ", and the " + e.proto().toUpperCase(java.util.Locale.ROOT) + " header it quotes from "
        + ("icmp".equals(e.proto()) ? "id " : "port ") + e.quotedBefore() + " to " + e.quotedAfter()
        + " (RFC 5508: the error must name what the host sent)";
  }

  @Override
  public String expired(NatEvent.Expired e) {
    return "forgets the " + e.proto() + " mapping " + e.internal() + " = " + e.external()
        + (e.remote() == null ? "" : ", last with " + e.remote())
        + (e.state() == null ? "" : " (" + e.state() + ")") + ", idle " + DhcpStory.duration(e.idleSeconds());
  }

  @Override
  public String refused(NatEvent.Refused e) {
    String why = switch (e.reason()) {
      case "nat_table_full" -> "the NAT table is full";
      case "nat_ports_exhausted" -> "no external port is free";
      case "nat_no_mapping" -> "nothing maps it to an inside host (a later fragment whose first never passed)";
      case "nat_no_address" -> "the outside interface has no address yet (no DHCP lease) to masquerade as";
      case "nat_icmp_unknown" -> "the ICMP error quotes a packet no mapping covers";
      default -> e.reason();
    };
    return "drops a " + e.proto() + " packet " + e.src() + " > " + e.dst() + ": " + why;
  }
}
