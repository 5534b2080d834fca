package emu.control.cli;

import emu.control.controller.ApiException;
import emu.control.controller.ControlClient;
import emu.control.lab.Lab;
import emu.control.linux.LinuxNamespaces;
import emu.control.process.FanOut;
import emu.control.process.NodeClient;
import emu.control.state.LabState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The state of a lab's nodes, asked of each node's management API: one row per interface,
 * or one JSON document. A node that does not answer is shown as down (and why), and never
 * holds up the others.
 */
final class StatusTable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusTable() {}

  /**
   * The lab's state: from its control process when it has one (nodes, links, impairments,
   * partition, fault plan), else asked of each node directly. A node that does not answer is
   * shown as such and never holds up the others.
   */
  public static ObjectNode collect(Lab lab) {
    LabState s = lab.state();
    if (ControlClient.available(s)) {
      try {
        return (ObjectNode) new ControlClient(s).lab("GET", "", null);
      } catch (IOException | ApiException e) {
        // fall back to asking the nodes
      }
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("lab", s.name());
    root.put("topology", s.topology());
    root.put("output", s.outDir());
    root.put("started", s.startedAt());
    root.setAll((ObjectNode) JSON.valueToTree(s.randomnessStatus()));
    ArrayNode nodes = root.putArray("nodes");
    // every node at once (a bounded number at a time): one silent node must not hold up the rest
    FanOut.map(s.nodes(), n -> row(lab, n)).forEach(nodes::add);
    return root;
  }

  /** One node's row: its process, and its management API's answer (or why there is none). */
  private static ObjectNode row(Lab lab, LabState.NodeState n) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", n.name());
    o.put("kind", n.kind());
    if (n.remote() != null) {
      o.put("pid", n.remote().pid()); // on its host; ssh_pid is the local session that started it
      o.put("host", n.remote().host().name());
      o.put("host_address", n.remote().host().address());
      o.put("ssh_pid", n.pid());
    } else {
      o.put("pid", n.pid());
    }
    o.put("mgmt", n.mgmt());
    if (lab.isLinux(n.name())) {
      LinuxNamespaces.status(lab.netns(n.name()), o);
      return o;
    }
    if (lab.process(n.name()).isEmpty()) {
      o.put("state", "dead");
      o.put("reason", n.whyGone() + "; see " + n.log());
      return o;
    }
    try {
      JsonNode st = lab.client(n.name()).status();
      o.put("state", "running");
      NodeClient.sections(st).forEach(o::set); // interfaces, ip, ipv6, bridge, nat, ospf, ...
    } catch (IOException e) {
      o.put("state", "not answering");
      o.put("reason", e.getMessage() == null ? e.toString() : e.getMessage());
    }
    return o;
  }

  /**
   * Where the nodes' secrets come from: a seeded lab's DNS IDs, ports and TCP ISNs follow from
   * its seed (reproducible, and guessable by anyone who knows it: RFC 5452 and 6528 want them
   * unpredictable); an unseeded lab's come from a CSPRNG.
   */
  static String randomness(JsonNode status) {
    if (status.path("randomness").asText().equals("seeded")) {
      return "randomness: seeded (--seed " + status.path("seed").asText()
          + "): DNS IDs, ports and TCP ISNs are predictable";
    }
    return "randomness: " + status.path("randomness").asText("unknown");
  }

  public static void print(ObjectNode status, PrintWriter out) {
    out.println("lab " + status.path("lab").asText() + " (up since " + status.path("started").asText() + ")");
    out.println("  topology: " + status.path("topology").asText());
    out.println("  output:   " + status.path("output").asText());
    out.println("  " + randomness(status));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "KIND", "PID", "STATE", "IFACE", "ADDRESS", "MAC", "LINK (local -> peer)",
        "IMPAIRMENT (egress)"});
    for (JsonNode n : status.path("nodes")) {
      // a node on another machine: its pid there, @ the host
      String pid = n.path("pid").asText() + (n.has("host") ? "@" + n.path("host").asText() : "");
      String[] base = {n.path("name").asText(), n.path("kind").asText(), pid, n.path("state").asText()};
      JsonNode ifaces = n.path("interfaces");
      if (!ifaces.isArray() || ifaces.isEmpty()) {
        rows.add(concat(base, new String[] {"-", "-", "-", n.path("reason").asText("-"), ""}));
        continue;
      }
      boolean first = true;
      for (JsonNode i : ifaces) {
        String link = i.path("vxlan").asBoolean() ? "vxlan device in " + n.path("netns").asText()
            : i.has("vlan") ? "802.1Q VLAN " + i.path("vlan").path("id").asText() + " on "
            + i.path("vlan").path("parent").asText()
            : i.path("bind").isNull() || i.path("bind").isMissingNode() ? "(not linked)"
            : "udp " + i.path("bind").asText() + " -> " + i.path("peer").asText();
        String[] left = first ? base : new String[] {"", "", "", ""};
        String link2 = i.path("state").asText("UP").equals("DOWN") ? link + " [DOWN]" : link;
        List<String> addresses = new ArrayList<>();
        if (!i.path("address").isNull() && i.has("address")) {
          addresses.add(i.path("address").asText() + (i.has("dhcp") ? " (dhcp)" : ""));
        } else if (i.has("dhcp")) {
          addresses.add("dhcp: " + i.path("dhcp").asText()); // no lease yet: the client's state
        }
        // IPv6 addresses as ip -6 addr lists them, each on a line of its own; a state other than
        // preferred (tentative while duplicate address detection runs, duplicate) is shown
        for (JsonNode a : i.path("addresses6")) {
          String st = a.path("state").asText();
          addresses.add(a.path("address").asText() + (st.equals("preferred") ? "" : " (" + st + ")"));
        }
        rows.add(concat(left, new String[] {i.path("name").asText(), addresses.isEmpty() ? "-" : addresses.get(0),
            i.path("mac").asText(), link2, words(i.path("impairment"))}));
        for (String more : addresses.subList(Math.min(1, addresses.size()), addresses.size())) {
          rows.add(new String[] {"", "", "", "", "", more, "", "", ""});
        }
        first = false;
      }
    }
    printColumns(rows, out);
    JsonNode partition = status.path("partition");
    if (partition.isArray() && !partition.isEmpty()) {
      out.println("  partition in force: " + partition + " cut off from the rest");
    }
    for (JsonNode f : status.path("faults")) {
      out.println("  fault plan: " + f.path("fault").asText() + "  [" + f.path("result").asText() + "]");
    }
    out.flush();
  }

  /** Impairment words as a user would type them: "delay 20ms loss 5%". */
  public static String words(JsonNode impairment) {
    StringBuilder sb = new StringBuilder();
    impairment.fields().forEachRemaining(e -> sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append(' ')
        .append(e.getValue().asText()));
    return sb.length() == 0 ? "-" : sb.toString();
  }

  /** Prints rows as left-aligned columns two spaces apart, indented by two (as status and stats print). */
  static void printColumns(List<String[]> rows, PrintWriter out) {
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        w[c] = Math.max(w[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder("  ");
      for (int c = 0; c < r.length; c++) {
        sb.append(c == r.length - 1 ? r[c] : String.format(Locale.ROOT, "%-" + (w[c] + 2) + "s", r[c]));
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  /** The two arrays one after the other. */
  static String[] concat(String[] a, String[] b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
