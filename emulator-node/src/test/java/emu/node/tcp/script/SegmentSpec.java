package emu.node.tcp.script;

import emu.node.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One segment line of a script, packetdrill style:
 * {@code FLAGS SEQ:END(LEN) [ack N] [win N] [port=P] [<option,option,...>]}.
 *
 * <p>FLAGS uses tcpdump's letters: {@code S F R P} and {@code .} for ACK ({@code S.} is a
 * SYN,ACK). Sequence and acknowledgment numbers are relative to the initial sequence number of
 * the side they belong to. Options: {@code mss N}, {@code sackOK}, {@code nop}, {@code eol},
 * {@code wscale N}, {@code TS val V ecr E}, {@code sack L:R L:R...}; in expectations any value
 * may be {@code *}; in injected segments {@code ecr *} echoes the stack's last TSval. A missing
 * option list means "any options" for an expectation and "none" for an injected segment;
 * {@code <>} means none.
 */
final class SegmentSpec {
  /** One option with its arguments as written. */
  record Opt(String kind, List<String> args) {
    @Override
    public String toString() {
      return args.isEmpty() ? kind : kind + " " + String.join(" ", args);
    }
  }

  final int flags;
  final long seq;
  final long end;
  final int len;
  final Long ack;
  final Integer win;
  final Integer port;
  final List<Opt> options;

  private SegmentSpec(int flags, long seq, long end, int len, Long ack, Integer win, Integer port, List<Opt> options) {
    this.flags = flags;
    this.seq = seq;
    this.end = end;
    this.len = len;
    this.ack = ack;
    this.win = win;
    this.port = port;
    this.options = options;
  }

  static int parseFlags(String s) {
    int f = 0;
    for (char ch : s.toCharArray()) {
      f |= switch (ch) {
        case 'S' -> TcpSegment.SYN;
        case 'F' -> TcpSegment.FIN;
        case 'R' -> TcpSegment.RST;
        case 'P' -> TcpSegment.PSH;
        case 'U' -> TcpSegment.URG;
        case 'E' -> TcpSegment.ECE;
        case 'W' -> TcpSegment.CWR;
        case '.' -> TcpSegment.ACK;
        case '0' -> 0; // "0": no flags at all
        default -> throw new IllegalArgumentException("unknown flag '" + ch + "' in " + s);
      };
    }
    return f;
  }

  static SegmentSpec parse(String text) {
    String body = text.trim();
    List<Opt> options = null;
    int lt = body.indexOf('<');
    if (lt >= 0) {
      int gt = body.lastIndexOf('>');
      if (gt < lt) {
        throw new IllegalArgumentException("unclosed option list: " + text);
      }
      options = parseOptions(body.substring(lt + 1, gt));
      body = (body.substring(0, lt) + " " + body.substring(gt + 1)).trim();
    }
    String[] t = body.split("\\s+");
    int flags = parseFlags(t[0]);
    String range = t[1];
    int colon = range.indexOf(':');
    int paren = range.indexOf('(');
    long seq = Long.parseLong(range.substring(0, colon));
    long end = Long.parseLong(range.substring(colon + 1, paren));
    int len = Integer.parseInt(range.substring(paren + 1, range.indexOf(')')));
    if (end - seq != len) {
      throw new IllegalArgumentException("SEQ:END(LEN) disagree: " + range);
    }
    Long ack = null;
    Integer win = null;
    Integer port = null;
    for (int i = 2; i < t.length; i++) {
      switch (t[i]) {
        case "ack" -> ack = Long.parseLong(t[++i]);
        case "win" -> win = Integer.parseInt(t[++i]);
        default -> {
          if (t[i].startsWith("port=")) {
            port = Integer.parseInt(t[i].substring(5));
          } else {
            throw new IllegalArgumentException("unknown word '" + t[i] + "' in " + text);
          }
        }
      }
    }
    return new SegmentSpec(flags, seq, end, len, ack, win, port, options);
  }

  static List<Opt> parseOptions(String list) {
    List<Opt> out = new ArrayList<>();
    if (list.isBlank()) {
      return out;
    }
    for (String item : list.split(",")) {
      String[] w = item.trim().split("\\s+");
      String kind = w[0];
      List<String> args = new ArrayList<>();
      switch (kind) {
        case "TS" -> { // TS val V ecr E
          args.add(w[2]);
          args.add(w[4]);
        }
        default -> {
          for (int i = 1; i < w.length; i++) {
            args.add(w[i]);
          }
        }
      }
      out.add(new Opt(kind, args));
    }
    return out;
  }

  @Override
  public String toString() {
    return TcpSegment.flagString(flags) + " " + seq + ":" + end + "(" + len + ")" + (ack == null ? "" : " ack " + ack)
        + (win == null ? "" : " win " + win) + (options == null ? "" : " " + options);
  }
}
