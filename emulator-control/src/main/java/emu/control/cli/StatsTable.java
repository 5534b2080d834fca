package emu.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code emu stats} as a table: the document {@link emu.control.lab.LabStats} collects, one row
 * per interface with the node's own figures on its first row, and a note for each node that did
 * not answer.
 */
final class StatsTable {
  private StatsTable() {}

  /** One row per interface; the node's own figures on its first row. */
  static void print(ObjectNode stats, PrintWriter out) {
    out.println("lab " + stats.path("lab").asText() + ": counters since each node started");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "STATE", "IFACE", "RX FRAMES", "RX BYTES", "TX FRAMES", "TX BYTES", "IF DROPS",
        "FORWARDED", "DROPS", "TCP ESTAB/RETRANS", "DNS Q/A", "TLS OK/FAIL", "TOP DROP REASONS"});
    List<String> notes = new ArrayList<>();
    for (JsonNode n : stats.path("nodes")) {
      String name = n.path("name").asText();
      String state = n.path("state").asText();
      if (!state.equals("running") || !n.has("summary")) {
        rows.add(new String[] {name, state, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", ""});
        notes.add(name + ": " + state + (n.has("reason") ? ": " + n.path("reason").asText() : ""));
        continue;
      }
      JsonNode s = n.path("summary");
      String[] nodeCols = {
          s.has("forwarded") ? s.path("forwarded").asText() : "-",
          s.path("drops").asText(),
          s.has("tcp_established") ? s.path("tcp_established").asText() + "/" + s.path("tcp_retransmits").asText() : "-",
          dns(s),
          s.has("tls_handshakes") ? s.path("tls_handshakes").asText() + "/" + s.path("tls_failures").asText() : "-",
          topDrops(s.path("drops_by_reason"))};
      JsonNode ifaces = n.path("interfaces");
      if (ifaces.isEmpty()) {
        rows.add(StatusTable.concat(new String[] {name, state, "-", "-", "-", "-", "-", "-"}, nodeCols));
        continue;
      }
      boolean first = true;
      for (JsonNode i : ifaces) {
        String[] left = {first ? name : "", first ? state : "",
            i.path("name").asText() + (i.path("up").asBoolean(true) ? "" : " (down)"),
            i.path("rx_frames").asText("-"), i.path("rx_bytes").asText("-"), i.path("tx_frames").asText("-"),
            i.path("tx_bytes").asText("-"), i.path("drops").asText("-")};
        rows.add(StatusTable.concat(left, first ? nodeCols : new String[] {"", "", "", "", "", ""}));
        first = false;
      }
    }
    StatusTable.printColumns(rows, out);
    for (String note : notes) {
      out.println("  " + note);
    }
    out.flush();
  }

  private static String dns(JsonNode s) {
    String client = s.has("dns_queries") ? s.path("dns_queries").asText() + "/" + s.path("dns_answers").asText() : "-";
    if (s.has("dns_server_queries")) {
      return client + " (server " + s.path("dns_server_queries").asText() + "/"
          + s.path("dns_server_responses").asText() + ")";
    }
    return client;
  }

  private static String topDrops(JsonNode byReason) {
    StringBuilder sb = new StringBuilder();
    int k = 0;
    for (var it = byReason.fields(); it.hasNext() && k < 3; k++) {
      var e = it.next();
      sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue().asText());
    }
    return sb.length() == 0 ? "-" : sb.toString();
  }
}
