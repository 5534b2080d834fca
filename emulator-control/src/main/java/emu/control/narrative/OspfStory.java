package emu.control.narrative;

import emu.node.event.OspfEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The words for a router's OSPF: each adjacency step with what it means (two-way, the database
 * exchange, loading, Full), elections, LSAs originated, flushed and installed, SPF runs with the
 * routes they moved ("10.3.0.0/24 now via 10.0.12.2 cost 20 (was via 10.0.13.3 cost 10)"), and
 * refused packets in the words FRR logs them with.
 */
final class OspfStory implements OspfEvent.Visitor<String> {

  static String lsaName(int type) {
    return switch (type) {
      case 1 -> "router-LSA";
      case 2 -> "network-LSA";
      case 3 -> "summary-LSA";
      case 4 -> "ASBR-summary-LSA";
      case 5 -> "AS-external-LSA";
      default -> "type-" + type + " LSA";
    };
  }

  @Override
  public String neighbor(OspfEvent.Neighbor e) {
    String why = switch (e.to()) {
      case "Init" -> "heard its Hello";
      case "2-Way" -> "2-Way".equals(e.from()) || "Init".equals(e.from())
          ? "each lists the other in its Hellos; no adjacency between two routers that are neither DR nor BDR"
          : "no adjacency wanted any more";
      case "ExStart" -> "SeqNumberMismatch".equals(e.event()) || "BadLSReq".equals(e.event())
          ? "the database exchange broke off and starts again" : "starts the database exchange (the higher router ID"
          + " is master)";
      case "Exchange" -> "describes its database in DD packets";
      case "Loading" -> "requests the LSAs it lacks";
      case "Full" -> "adjacency up: databases synchronised";
      case "Down" -> switch (e.event()) {
        case "InactivityTimer" -> "no Hello within the dead interval";
        case "LLDown" -> "the link lost carrier";
        default -> "adjacency killed";
      };
      default -> "";
    };
    return "OSPF neighbour " + e.routerId() + " (" + e.address() + ") on " + e.dev() + ": " + e.from() + " -> "
        + e.to() + " (" + e.event() + ")" + (why.isEmpty() ? "" : ", " + why);
  }

  @Override
  public String elected(OspfEvent.Elected e) {
    return "elects on " + e.dev() + ": DR " + (e.dr() == null ? "none" : e.dr()) + ", BDR "
        + (e.bdr() == null ? "none" : e.bdr()) + "; it is " + e.state() + " there";
  }

  @Override
  public String originated(OspfEvent.Originated e) {
    return e.flushed()
        ? "flushes its " + lsaName(e.lsType()) + " " + e.lsId() + " " + e.lsSeq() + " (aged to MaxAge so every router"
            + " drops it)"
        : "originates its " + lsaName(e.lsType()) + " " + e.lsId() + " " + e.lsSeq();
  }

  @Override
  public String installed(OspfEvent.Installed e) {
    boolean own = e.lsId() != null && e.lsId().equals(e.advRouter());
    return "installs " + (own ? e.advRouter() + "'s " + lsaName(e.lsType()) : lsaName(e.lsType()) + " " + e.lsId()
        + " of " + e.advRouter()) + " " + e.lsSeq() + (e.from() == null ? "" : ", flooded by " + e.from());
  }

  private static String via(List<String> gws, int cost) {
    return "via " + String.join(" and ", gws) + " cost " + cost;
  }

  @Override
  public String spf(OspfEvent.Spf e) {
    String after = e.afterType() == null ? "" : " after " + (e.afterType() == 1 && e.afterId() != null
        && e.afterId().equals(e.afterAdv()) ? e.afterAdv() + "'s router-LSA" : lsaName(e.afterType()) + " "
        + e.afterId() + " of " + e.afterAdv()) + " " + e.afterSeq();
    String head = "SPF" + after + " (" + String.format(Locale.ROOT, "%.1f", e.micros() / 1000.0) + " ms, " + e.routes()
        + " route" + (e.routes() == 1 ? "" : "s") + ")";
    if (e.changes().isEmpty()) {
      return head + ": no route changed";
    }
    List<String> parts = new ArrayList<>();
    for (OspfEvent.Change c : e.changes()) {
      if (c.oldCost() < 0) {
        parts.add(c.prefix() + " new " + via(c.newVia(), c.newCost()));
      } else if (c.newCost() < 0) {
        parts.add(c.prefix() + " gone (was " + via(c.oldVia(), c.oldCost()) + ")");
      } else {
        parts.add(c.prefix() + " now " + via(c.newVia(), c.newCost()) + " (was " + via(c.oldVia(), c.oldCost()) + ")");
      }
    }
    return head + ": " + String.join("; ", parts);
  }

  @Override
  public String refused(OspfEvent.Refused e) {
    String why = switch (e.reason()) {
      case "hello_interval_mismatch" -> "Hello interval mismatch (HelloInterval must match, RFC 2328 10.5)";
      case "dead_interval_mismatch" -> "RouterDeadInterval mismatch";
      case "mask_mismatch" -> "network mask mismatch";
      case "options_mismatch" -> "options mismatch (E-bit)";
      case "mtu_mismatch" -> "MTU mismatch: the neighbour's interface MTU is larger than ours";
      case "wrong_area" -> "wrong area (emu runs area 0.0.0.0)";
      case "bad_checksum" -> "bad checksum";
      case "bad_version" -> "not OSPF version 2";
      case "unsupported_auth" -> "authentication type not supported (null only)";
      case "subnet_mismatch" -> "source not on the interface's subnet";
      case "unknown_neighbor" -> "from no known neighbour";
      case "neighbor_state" -> "not expected in the neighbour's state";
      case "dd_sequence_mismatch" -> "DD sequence mismatch (the exchange restarts)";
      case "lsdb_full" -> "the link-state database is full";
      case "lsa_bad_checksum" -> "an LSA with a bad checksum";
      case "lsa_bad_length", "lsa_truncated" -> "an LSA with an impossible length";
      case "lsa_too_soon" -> "an LSA newer than ours arrived within MinLSArrival (1 s)";
      default -> e.reason().replace('_', ' ');
    };
    return "refuses an OSPF " + (e.packet() == null ? "packet" : e.packet()) + (e.source() == null ? ""
        : " from " + e.source()) + (e.dev() == null || e.dev().isEmpty() ? "" : " on " + e.dev()) + ": " + why;
  }
}
