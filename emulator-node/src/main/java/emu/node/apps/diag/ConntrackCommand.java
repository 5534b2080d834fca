package emu.node.apps.diag;

import emu.node.nat.Nat;
import emu.node.nat.NatCounters;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import java.util.List;

/**
 * {@code conntrack -L}: the router's NAT mappings as conntrack-tools prints flows, one a line, so
 * that what people grep for works: {@code tcp 6 7439 ESTABLISHED src=192.168.0.10
 * dst=203.0.113.10 sport=51234 dport=443 src=203.0.113.10 dst=198.51.100.2 sport=443 dport=51234
 * [ASSURED] mark=0 use=1}. The first tuple is the flow as it was opened, the second as the reply
 * comes back (the translation is the difference); the number after the protocol's is the seconds
 * left before the mapping expires. The summary line conntrack writes to standard error ends the output here ({@code emu exec} has one
 * stream).
 * {@code -C}: how many mappings; {@code -S}: the counters, in conntrack's {@code -S} words where
 * they exist (found, insert, insert_failed, drop, invalid) and emu's own after them.
 */
public final class ConntrackCommand implements Command {
  private final Nat nat;

  public ConntrackCommand(Nat nat) {
    this.nat = nat;
  }

  @Override
  public String name() {
    return "conntrack";
  }

  @Override
  public String summary() {
    return "conntrack -L|-C|-S   the NAT's mappings (conntrack-tools' lines), their count, or its counters";
  }

  @Override
  public void run(List<String> args, CommandIo io) {
    String op = args.size() == 1 ? args.get(0) : "";
    switch (op) {
      case "-h", "--help" -> io.out("usage: " + summary());
      case "-L", "--dump" -> {
        List<Nat.Flow> flows = nat.flows();
        flows.forEach(f -> io.out(line(f)));
        io.out("conntrack v1.4.7 (conntrack-tools): " + flows.size() + " flow entries have been shown.");
      }
      case "-C", "--count" -> io.out(Integer.toString(nat.size()));
      case "-S", "--stats" -> {
        NatCounters c = nat.counters();
        io.out("cpu=0 found=" + (c.translatedOut + c.translatedIn + c.hairpinned) + " invalid=" + c.malformed
            + " insert=" + c.created + " insert_failed=" + (c.tableFull + c.portsExhausted) + " drop="
            + (c.tableFull + c.portsExhausted + c.noMapping + c.icmpUnknown + c.malformed) + " early_drop=0 error="
            + c.icmpUnknown + " search_restart=0");
        io.out("translated_out=" + c.translatedOut + " translated_in=" + c.translatedIn + " hairpinned="
            + c.hairpinned + " icmp_errors=" + c.icmpErrors + " expired=" + c.expired + " flushed=" + c.flushed
            + " table_full=" + c.tableFull + " ports_exhausted=" + c.portsExhausted + " no_mapping=" + c.noMapping
            + " icmp_unknown=" + c.icmpUnknown);
      }
      default -> throw new UsageException("usage: " + summary());
    }
    io.exit(0);
  }

  /** One flow in conntrack-tools' {@code -L} format (its default, the "extended" columns off). */
  static String line(Nat.Flow f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%-8s %d %d ", f.proto(), f.protoNumber(), f.timeout()));
    if (f.state() != null) {
      b.append(f.state()).append(' ');
    }
    // the flow as opened ("original") and as answered ("reply"), as conntrack keeps a connection
    if (!f.inboundOrigin()) {
      tuple(b, f, f.internal(), f.remote(), f.internalPort(), f.remotePort(), false);
      if (!f.replied()) {
        b.append("[UNREPLIED] ");
      }
      tuple(b, f, f.remote(), f.external(), f.remotePort(), f.externalPort(), true);
    } else {
      tuple(b, f, f.remote(), f.external(), f.remotePort(), f.externalPort(), false);
      if (!f.replied()) {
        b.append("[UNREPLIED] ");
      }
      tuple(b, f, f.internal(), f.remote(), f.internalPort(), f.remotePort(), true);
    }
    if (f.replied()) {
      b.append("[ASSURED] ");
    }
    return b.append("mark=0 use=1").toString();
  }

  private static void tuple(StringBuilder b, Nat.Flow f, String src, String dst, int sport, int dport, boolean reply) {
    b.append("src=").append(src).append(" dst=").append(dst).append(' ');
    if (f.protoNumber() == 1) {
      // an echo request one way, its reply the other; the identifier is the flow's "port"
      int type = reply == f.inboundOrigin() ? 8 : 0;
      b.append("type=").append(type).append(" code=0 id=").append(reply ? dport : sport).append(' ');
    } else {
      b.append("sport=").append(sport).append(" dport=").append(dport).append(' ');
    }
  }
}
