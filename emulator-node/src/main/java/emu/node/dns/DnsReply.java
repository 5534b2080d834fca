package emu.node.dns;

import org.xbill.DNS.Message;

/**
 * How one exchange with a DNS server ended: the server's response, or why there is none.
 *
 * @param message the accepted response (ID, question, server address and port checked), or
 *     null on failure
 * @param failure why there is no response, or null
 * @param detail the failure in words ("timed out", "connection refused", "Network is unreachable")
 * @param server the server that answered, or the last one asked
 * @param tcp whether the response came over TCP
 * @param truncatedOverUdp whether a UDP response came back truncated (TC) first
 * @param tries datagrams sent (UDP tries, retransmissions included)
 * @param elapsedNanos from the first query to the end
 * @param notes what went wrong on the way, in order, as dig says it after ";; "
 *     ("communications error to 192.168.1.53#53: timed out", "Got SERVFAIL reply from
 *     2001:db8:5::53#53, trying next server")
 */
public record DnsReply(Message message, Failure failure, String detail, Nameserver server, boolean tcp,
                       boolean truncatedOverUdp, int tries, long elapsedNanos, java.util.List<String> notes) {
  /** Why an exchange failed. */
  public enum Failure {
    /** No acceptable answer within the retries. */
    TIMEOUT,
    /** ICMP port unreachable for UDP, or a TCP RST: nothing listens on port 53. */
    REFUSED,
    /** Could not send at all (no route, interface down, no free port) or the TCP connection failed. */
    NETWORK
  }

  public boolean ok() {
    return message != null;
  }
}
