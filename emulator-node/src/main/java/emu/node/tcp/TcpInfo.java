package emu.node.tcp;

import emu.node.wire.IpAddress;
import java.util.List;
import java.util.Locale;

/**
 * A snapshot of one connection for {@code ss -tanoi}: the fields Linux's {@code tcp_info}
 * gives {@code ss}, in the same units (ms, segments, bytes). {@code timer} is "on"
 * (retransmission), "persist", "keepalive", "timewait", "delack" or "off", as {@code ss -o}
 * prints it, with the time left and the current backoff.
 */
public record TcpInfo(TcpState state, IpAddress local, int localPort, IpAddress remote, int remotePort,
                      int recvQ, int sendQ, long rtoMs, double srttMs, double rttvarMs,
                      long cwndSegments, long ssthreshSegments, int sndWscale, int rcvWscale, int mss,
                      long retransmitsTotal, int backoff, String congestion, long bytesSent, long bytesAcked,
                      long bytesReceived, String timer, long timerMsLeft) {

  /** One line as {@code ss -tanoi} prints a connection (both of its lines joined). */
  public String ssLine() {
    List<String> l = ssLines();
    return l.get(0) + l.get(1).substring(1);
  }

  /**
   * The two lines {@code ss -tanoi} prints for a connection: the socket with its timer ({@code -o}),
   * then, after a tab, the TCP information ({@code -i}).
   */
  public List<String> ssLines() {
    String[] two = ssText().split("\n", 2);
    return List.of(two[0], "\t" + two[1]);
  }

  /**
   * A timer's time left as iproute2's {@code print_ms_timer} writes it: "200ms", "1.500ms"
   * (1 s and 500 ms), "30sec", "1min5sec", "12min".
   */
  static String msTimer(long timeoutMs) {
    long secs = timeoutMs / 1000;
    long minutes = secs / 60;
    secs %= 60;
    long msecs = timeoutMs % 1000;
    StringBuilder sb = new StringBuilder();
    if (minutes > 0) {
      msecs = 0;
      sb.append(minutes).append("min");
      if (minutes > 9) {
        secs = 0;
      }
    }
    if (secs > 0) {
      if (secs > 9) {
        msecs = 0;
      }
      sb.append(secs).append(msecs != 0 ? "." : "sec");
    }
    if (msecs > 0) {
      sb.append(String.format(Locale.ROOT, "%03dms", msecs));
    }
    return sb.toString();
  }

  private String ssText() {
    // ss writes an IPv6 socket [addr]:port; the columns widen as ss's do for long addresses
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-10s %-6d %-6d %-21s %-21s", state.ssName(), recvQ, sendQ,
        local.withPort(localPort), remote.withPort(remotePort)));
    if (!"off".equals(timer)) {
      sb.append(" timer:(").append(timer).append(',').append(msTimer(Math.max(0, timerMsLeft))).append(',')
          .append(backoff).append(')');
    }
    sb.append("\n ").append(congestion);
    if (sndWscale >= 0 && rcvWscale >= 0) {
      sb.append(" wscale:").append(sndWscale).append(',').append(rcvWscale);
    }
    sb.append(" rto:").append(rtoMs);
    sb.append(String.format(Locale.ROOT, " rtt:%.3f/%.3f", srttMs, rttvarMs));
    sb.append(" mss:").append(mss);
    sb.append(" cwnd:").append(cwndSegments);
    if (ssthreshSegments > 0 && ssthreshSegments < Integer.MAX_VALUE) {
      sb.append(" ssthresh:").append(ssthreshSegments);
    }
    sb.append(" bytes_sent:").append(bytesSent).append(" bytes_acked:").append(bytesAcked)
        .append(" bytes_received:").append(bytesReceived);
    if (retransmitsTotal > 0 || backoff > 0) {
      sb.append(" retrans:").append(backoff).append('/').append(retransmitsTotal);
    }
    return sb.toString();
  }
}
