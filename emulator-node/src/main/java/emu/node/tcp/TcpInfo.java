package emu.node.tcp;

import emu.node.wire.Ipv4Address;
import java.util.Locale;

/**
 * A snapshot of one connection for {@code ss -tanoi}: the fields Linux's {@code tcp_info}
 * gives {@code ss}, in the same units (ms, segments, bytes). {@code timer} is "on"
 * (retransmission), "persist", "keepalive", "timewait", "delack" or "off", as {@code ss -o}
 * prints it, with the time left and the current backoff.
 */
public record TcpInfo(TcpState state, int localIp, int localPort, int remoteIp, int remotePort,
                      int recvQ, int sendQ, long rtoMs, double srttMs, double rttvarMs,
                      long cwndSegments, long ssthreshSegments, int sndWscale, int rcvWscale, int mss,
                      long retransmitsTotal, int backoff, String congestion, long bytesSent, long bytesAcked,
                      long bytesReceived, String timer, long timerMsLeft) {

  /** One line as {@code ss -tanoi} prints a connection (both of its lines joined). */
  public String ssLine() {
    String local = Ipv4Address.format(localIp) + ":" + localPort;
    String remote = Ipv4Address.format(remoteIp) + ":" + remotePort;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-10s %-6d %-6d %-21s %-21s", state.ssName(), recvQ, sendQ, local,
        remote));
    if (!"off".equals(timer)) {
      sb.append(" timer:(").append(timer).append(',').append(timerMsLeft).append("ms,").append(backoff).append(')');
    }
    sb.append(' ').append(congestion);
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
