package emu.control.narrative;

import emu.node.event.IpEvent;
import emu.node.event.Ipv6Event;
import emu.node.wire.Ipv6Address;
import emu.node.wire.Ipv6Cidr;

/**
 * The words for what is particular to IPv6: forwarding by hop limit, ICMPv6, neighbour and router
 * discovery, addresses checked and autoconfigured. A reader who knows the IPv4 story meets each
 * counterpart named: neighbour solicitation where IPv4 ARPs, no header checksum to update.
 */
final class Ipv6Story implements Ipv6Event.Visitor<String> {

  /** The reason part of an IPv6 routing decision (the IPv4 one compares masks). */
  static String why(IpEvent.RouteDecision e, String own) {
    if (e.direct()) {
      return e.dst() + " is on my own prefix " + e.route().prefix() + " (my address " + own + "): deliver directly, "
          + "neighbour solicitation for the destination itself";
    }
    String compared = "";
    try {
      Ipv6Cidr mine = Ipv6Cidr.parse(own);
      Ipv6Address dst = Ipv6Address.parse(e.dst());
      compared = "my address " + own + " is in " + mine.networkCidr() + "; " + e.dst() + " is not (it shares only "
          + "the first " + mine.address().commonPrefixLength(dst) + " of those " + mine.prefixLength() + " bits): ";
    } catch (IllegalArgumentException notAnAddress) {
      // an event not written by an emu node: say less
    }
    return compared + "not on my link, so send to " + (e.route().isDefault() ? "my default router " : "the router ")
        + e.route().gateway() + " and solicit the router, not the destination";
  }

  @Override
  public String forwarded(Ipv6Event.Forwarded e) {
    return "routes " + e.dst() + ": longest match '" + Words.route(e.route()) + "'; hop limit " + e.hopLimitBefore()
        + " -> " + e.hopLimitAfter() + " (IPv6 has no header checksum to update); forwards out " + e.out() + " to "
        + (e.route().gateway() != null ? "next router " : "the destination itself ") + e.nextHop();
  }

  @Override
  public String echoAnswered(Ipv6Event.EchoAnswered e) {
    return "answers ICMPv6 echo request from " + e.to() + " (id " + e.ident() + ", seq " + e.sequence()
        + ") with an echo reply";
  }

  @Override
  public String errorSent(Ipv6Event.ErrorSent e) {
    return "sends ICMPv6 " + PacketText.icmpv6Name(e.icmpType(), e.icmpCode()) + " to " + e.to() + " about ["
        + PacketText.ipv4(e.about()) + "]";
  }

  @Override
  public String solicitationSent(Ipv6Event.SolicitationSent e) {
    if ("::".equals(e.src())) {
      return "duplicate address detection on " + e.dev() + ": neighbour solicitation for " + e.target()
          + " from the unspecified address :: to " + e.dst() + " (the address's solicited-node group): is anyone "
          + "already using it? Silence for a second makes it mine";
    }
    if (e.dst().equals(e.target())) {
      return "neighbour solicitation on " + e.dev() + ": who has " + e.target() + " (unicast re-check)";
    }
    return "neighbour solicitation on " + e.dev() + ": who has " + e.target() + " tell " + e.src()
        + " (to its solicited-node multicast group " + e.dst() + ": IPv6 has no broadcast, so only nodes "
        + "whose addresses end alike listen)";
  }

  @Override
  public String solicitationHeard(Ipv6Event.SolicitationHeard e) {
    if ("::".equals(e.src())) {
      return "hears a duplicate address probe on " + e.dev() + " for " + e.target() + (e.forMe() ? " (that is mine)"
          : "");
    }
    return "hears a neighbour solicitation on " + e.dev() + ": who has " + e.target() + " tell " + e.src()
        + (e.forMe() ? " (that is me)" : " (not me)");
  }

  @Override
  public String advertisementSent(Ipv6Event.AdvertisementSent e) {
    if (!e.solicited()) {
      return "neighbour advertisement on " + e.dev() + " to " + e.dst() + ": " + e.target() + " is at " + e.mac()
          + " (unsolicited: announces the address" + (e.router() ? ", as a router" : "") + ")";
    }
    return "neighbour advertisement on " + e.dev() + " to " + e.dst() + ": " + e.target() + " is at " + e.mac()
        + (e.router() ? " (I am a router)" : "");
  }

  @Override
  public String advertisementHeard(Ipv6Event.AdvertisementHeard e) {
    return "hears a neighbour advertisement on " + e.dev() + ": " + e.target() + " is at "
        + (e.targetMac() == null ? "(no address given)" : e.targetMac())
        + (e.solicited() ? " (an answer to a solicitation)" : " (unsolicited)") + (e.router() ? ", a router" : "");
  }

  @Override
  public String routerSolicitationSent(Ipv6Event.RouterSolicitationSent e) {
    return "router solicitation on " + e.dev() + " from " + e.src() + " to ff02::2 (all routers): any router here?";
  }

  @Override
  public String routerSolicitationHeard(Ipv6Event.RouterSolicitationHeard e) {
    return "hears a router solicitation on " + e.dev() + " from " + e.src() + ": will advertise";
  }

  @Override
  public String routerAdvertisementSent(Ipv6Event.RouterAdvertisementSent e) {
    return "router advertisement on " + e.dev() + " to " + e.dst() + " (all nodes): I am a default router for "
        + e.routerLifetime() + " s" + (e.prefixes().isEmpty() ? "" : "; on-link prefixes " + String.join(", ",
        e.prefixes())) + (e.mtu() > 0 ? "; link MTU " + e.mtu() : "");
  }

  @Override
  public String routerAdvertisementHeard(Ipv6Event.RouterAdvertisementHeard e) {
    return "hears a router advertisement on " + e.dev() + " from " + e.router()
        + (e.routerLifetime() > 0 ? ": a default router for " + e.routerLifetime() + " s" : ": not a default router")
        + (e.prefixes().isEmpty() ? "" : "; prefixes " + String.join(", ", e.prefixes()))
        + (e.mtu() > 0 ? "; link MTU " + e.mtu() : "");
  }

  @Override
  public String address(Ipv6Event.AddressChanged e) {
    String what = switch (e.origin()) {
      case LINK_LOCAL -> "link-local address";
      case STATIC -> "address";
      case SLAAC -> "autoconfigured address (router's prefix + interface identifier from the MAC)";
    };
    return switch (e.state()) {
      case TENTATIVE -> "adds " + what + " " + e.address() + " on " + e.dev() + ", tentative until no one else "
          + "claims it";
      case PREFERRED -> what + " " + e.address() + " on " + e.dev() + " is mine: no one answered the duplicate "
          + "address probe";
      case DEPRECATED -> what + " " + e.address() + " on " + e.dev() + " is deprecated: its preferred lifetime ended";
      case DUPLICATE -> what + " " + e.address() + " on " + e.dev() + " is a duplicate: another node uses it, so "
          + "this node will not";
    };
  }

  @Override
  public String fragmented(Ipv6Event.Fragmented e) {
    return "the packet for " + e.dst() + " is " + e.length() + " bytes, more than the path MTU " + e.mtu()
        + ": sends it in " + e.fragments() + " fragments (fragment header, identification " + hex(e.identification())
        + "; in IPv6 only the source fragments, routers never do)";
  }

  @Override
  public String reassembled(Ipv6Event.Reassembled e) {
    return "reassembles the packet from " + e.src() + " (identification " + hex(e.identification()) + ") from "
        + e.fragments() + " fragments: " + e.length() + " bytes";
  }

  @Override
  public String reassemblyFailed(Ipv6Event.ReassemblyFailed e) {
    String which = "the packet from " + e.src() + " (identification " + hex(e.identification()) + ")";
    String n = e.fragments() + " fragment" + (e.fragments() == 1 ? "" : "s");
    return switch (e.reason()) {
      case IPV6_REASSEMBLY_TIMEOUT -> "gives up reassembling " + which + " after 60 s with " + n + (e.timeExceededSent()
          ? "; tells " + e.src() + " with ICMPv6 time exceeded (fragment reassembly time exceeded)"
          : e.firstArrived() ? "" : "; its first fragment never came, so no error is sent");
      case IPV6_FRAGMENT_OVERLAP -> "fragments of " + which + " overlap: gives the whole packet up, silently (RFC 5722),"
          + " its later fragments too; " + n + " so far";
      default -> "gives up reassembling " + which + " after " + n + ": " + Words.drop(e.reason());
    };
  }

  @Override
  public String pathMtu(Ipv6Event.PathMtuLowered e) {
    return "learns from " + e.reportedBy() + "'s packet too big that the path to " + e.dst() + " carries at most "
        + e.mtu() + " bytes (path MTU, RFC 8201): UDP and ping fragment to it, TCP sizes its segments to it; "
        + "forgotten in 10 minutes";
  }

  private static String hex(long id) {
    return "0x" + Long.toHexString(id);
  }
}
