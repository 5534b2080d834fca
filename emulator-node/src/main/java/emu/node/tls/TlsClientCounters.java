package emu.node.tls;

/**
 * The outcomes of the TLS handshakes this node's clients ({@code https-get}, {@code httpsperf})
 * started: plain fields, written on the node's event loop only. The server side counts its own
 * ({@link emu.node.https.HttpsServer#handshakes()}).
 */
public final class TlsClientCounters {
  /** Handshakes completed (chain and host name verified). */
  public long handshakes;
  /** Handshakes that failed: a certificate refused, an alert, a timeout, the connection closed. */
  public long failures;
}
