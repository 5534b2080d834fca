package emu.node.apps.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import emu.link.time.TimeSource;
import java.util.List;

/**
 * One data stream of an iperf3 test, on either end and in either direction: its counters as
 * iperf3 keeps them (bytes; for UDP the datagrams, the ones lost by the sequence numbers' gaps,
 * those out of order and RFC 3550's jitter) and, on the sending end, the pacing to the test's
 * rate (-b, per stream as in iperf3) and the shared byte budget (-n). The client and the server
 * both run their streams through this class, so the two ends count alike.
 */
public abstract class Iperf3Stream {
  /** The bytes the streams of a test may still send together (-n); unlimited by default. */
  public static final class Budget {
    long left = Long.MAX_VALUE;

    public Budget(long bytes) {
      left = bytes > 0 ? bytes : Long.MAX_VALUE;
    }

    public boolean exhausted() {
      return left <= 0;
    }
  }

  /** How often a paced sender looks again, as iperf3's default pacing timer (1000 us). */
  static final long PACING_NANOS = 1_000_000L;

  public final int id;
  public final boolean sender;
  protected final TimeSource time;
  protected final long rate;
  protected final Budget budget;
  protected final int len;
  /** Bytes sent or received while the test ran. */
  public long bytes;
  /** UDP: datagrams sent, or the highest sequence number received (iperf3's packet count). */
  public long packets;
  public long lost;
  public long outOfOrder;
  /** Seconds. */
  public double jitter;
  protected long startNanos;
  protected long endNanos;
  protected boolean running;
  /** Set when the test ends; a receiver counts what comes before that, even ahead of TEST_RUNNING. */
  protected boolean ended;
  private TimeSource.Timer pacer;

  protected Iperf3Stream(int id, boolean sender, TimeSource time, long rate, Budget budget, int len) {
    this.id = id;
    this.sender = sender;
    this.time = time;
    this.rate = rate;
    this.budget = budget;
    this.len = len;
  }

  /** iperf3 numbers its streams 1, 3, 4, 5 ... (the second one skips 2), both ends alike. */
  public static int idOf(int index) {
    return index == 0 ? 1 : index + 2;
  }

  /** The test starts: count from now, and send if this end sends. */
  public final void begin() {
    startNanos = time.nanos();
    running = true;
    if (sender) {
      send();
    }
  }

  /** The test ends: stop counting and sending (the transport stays until {@link #close}). */
  public final void end() {
    ended = true;
    if (running) {
      running = false;
      endNanos = time.nanos();
      if (pacer != null) {
        pacer.cancel();
        pacer = null;
      }
      ended();
    }
  }

  public boolean running() {
    return running;
  }

  /**
   * Whether a receiver counts what arrives now: from its creation until the test ends, since the
   * sender's first data may overtake the TEST_RUNNING that the control connection carries.
   */
  protected final boolean counting() {
    return !sender && !ended;
  }

  /** Seconds from the start to now, or to the end once ended. */
  public double seconds() {
    return ((running ? time.nanos() : endNanos) - startNanos) / 1e9;
  }

  /** Total retransmissions of the stream's TCP, -1 where unknown (UDP, or not the sender). */
  public abstract long retransmits();

  /** Bytes known to have reached the peer: all that were sent, but for a TCP sender what was acknowledged. */
  public long delivered() {
    return bytes;
  }

  /** TCP: the congestion window in bytes; 0 when unknown. */
  public long cwndBytes() {
    return 0;
  }

  public abstract boolean udp();

  /** Gives back the transport (closes the connection or the port). */
  public abstract void close();

  /** Called once when the test ends, to snapshot what the transport will forget. */
  protected void ended() {}

  /** Sends what the pace and the budget allow now, and keeps going as the transport lets it. */
  protected abstract void send();

  /**
   * Whether this sender may send one more block now: the test runs, the budget is not spent,
   * and the bytes sent so far are behind the rate; when only the rate holds it back, a look
   * again is scheduled (iperf3's pacing: a block whenever the average falls below the rate).
   */
  protected final boolean maySend() {
    if (!running || budget.exhausted()) {
      return false;
    }
    if (rate > 0 && bytes * 8.0 >= rate * ((time.nanos() - startNanos) / 1e9)) {
      later();
      return false;
    }
    return true;
  }

  /** Looks again at sending after the pacing timer (once, however often asked). */
  protected final void later() {
    if (pacer == null && running) {
      pacer = time.schedule(() -> {
        pacer = null;
        send();
      }, PACING_NANOS);
    }
  }

  /** Counts {@code n} bytes sent. */
  protected final void sent(int n) {
    bytes += n;
    budget.left -= n;
  }

  /** This end's figures for the results exchange, one element of its "streams". */
  public ObjectNode result() {
    ObjectNode s = Iperf3Protocol.object();
    s.put("id", id);
    s.put("bytes", bytes);
    s.put("retransmits", sender && !udp() ? retransmits() : -1);
    s.put("jitter", jitter);
    s.put("errors", lost);
    s.put("packets", packets);
    s.put("start_time", 0);
    s.put("end_time", seconds());
    return s;
  }

  /** The whole results message of one end, as iperf3 sends it after EXCHANGE_RESULTS. */
  public static ObjectNode results(List<? extends Iperf3Stream> streams, boolean sender, boolean udp,
                                   String congestion) {
    ObjectNode r = Iperf3Protocol.object();
    r.put("cpu_util_total", 0.0);
    r.put("cpu_util_user", 0.0);
    r.put("cpu_util_system", 0.0);
    r.put("sender_has_retransmits", sender ? (udp ? 0 : 1) : -1);
    if (!udp && congestion != null) {
      r.put("congestion_used", congestion);
    }
    ArrayNode a = r.putArray("streams");
    for (Iperf3Stream s : streams) {
      a.add(s.result());
    }
    return r;
  }

  /** The element of a peer's results for stream {@code id}, or null. */
  public static JsonNode peerStream(JsonNode results, int id) {
    JsonNode streams = results == null ? null : results.get("streams");
    if (streams != null && streams.isArray()) {
      for (JsonNode s : streams) {
        if (s.path("id").asInt(-1) == id) {
          return s;
        }
      }
    }
    return null;
  }
}
