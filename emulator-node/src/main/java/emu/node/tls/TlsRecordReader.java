package emu.node.tls;

import emu.node.event.TlsEvent.MalformedCause;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Finds TLS records in one direction of a byte stream (RFC 8446 5.1, RFC 5246 6.2.1) without
 * consuming or changing the bytes: records may span buffers, and several may share one.
 *
 * <pre>
 *   0                   1                   2                   3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | content type  |  legacy_record_version (2)    |        length (2)             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  fragment (length bytes) ...
 * </pre>
 *
 * A header that cannot start a TLS record (unknown content type, major version not 3, length
 * beyond 2^14 + 2048) makes the stream malformed: the reader reports it once and then ignores
 * the rest of that direction. Only bodies the listener asks for are copied.
 */
final class TlsRecordReader {
  static final int CHANGE_CIPHER_SPEC = 20;
  static final int ALERT = 21;
  static final int HANDSHAKE = 22;
  static final int APPLICATION_DATA = 23;
  static final int HEARTBEAT = 24;
  static final int HEADER_LEN = 5;
  /** The largest TLSCiphertext fragment (RFC 5246 6.2.3). */
  static final int MAX_FRAGMENT = (1 << 14) + 2048;

  interface Listener {
    /** Whether the body of a record of {@code type} should be handed over (copied). */
    boolean wantsBody(int type);

    /** A complete record; {@code body} is null unless {@link #wantsBody} said so. */
    void record(int type, int version, int length, byte[] body);

    /**
     * The stream stopped looking like TLS: a record header's {@code cause} (content type,
     * version or length, whose {@code value} it was); {@code firstBytes} is the header as text
     * when printable, else in hex. Nothing more will be reported.
     */
    void malformed(MalformedCause cause, int value, String firstBytes);
  }

  private final Listener listener;
  private final byte[] header = new byte[HEADER_LEN];
  private int headerLen;
  private int type;
  private int version;
  private int length;
  private int got;
  private byte[] body;
  private boolean stopped;

  TlsRecordReader(Listener listener) {
    this.listener = listener;
  }

  boolean stopped() {
    return stopped;
  }

  /** Gives up on this direction (after a parse error above the record layer). */
  void stop() {
    stopped = true;
    body = null;
  }

  /**
   * Reads bytes {@code [from, to)} of {@code buf} (indices unchanged). With {@code stopAtRecordEnd}
   * it returns as soon as one record completes; the result is how many bytes it took.
   */
  int feed(ByteBuf buf, int from, int to, boolean stopAtRecordEnd) {
    int pos = from;
    while (pos < to && !stopped) {
      if (headerLen < HEADER_LEN) {
        header[headerLen++] = buf.getByte(pos++);
        if (headerLen == HEADER_LEN && !startRecord()) {
          return to - from;
        }
        if (headerLen < HEADER_LEN || length > 0) {
          continue;
        }
      } else {
        int n = Math.min(length - got, to - pos);
        if (body != null) {
          buf.getBytes(pos, body, got, n);
        }
        got += n;
        pos += n;
        if (got < length) {
          continue;
        }
      }
      // the record is complete
      byte[] b = body;
      body = null;
      headerLen = 0;
      listener.record(type, version, length, b);
      if (stopAtRecordEnd) {
        return pos - from;
      }
    }
    return stopped ? to - from : pos - from;
  }

  private boolean startRecord() {
    type = header[0] & 0xFF;
    version = ((header[1] & 0xFF) << 8) | (header[2] & 0xFF);
    length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
    got = 0;
    MalformedCause why = null;
    int value = 0;
    if (type < CHANGE_CIPHER_SPEC || type > HEARTBEAT) {
      why = MalformedCause.CONTENT_TYPE;
      value = type;
    } else if ((version >> 8) != 3) {
      why = MalformedCause.RECORD_VERSION;
      value = version;
    } else if (length > MAX_FRAGMENT) {
      why = MalformedCause.RECORD_LENGTH;
      value = length;
    }
    if (why != null) {
      stopped = true;
      listener.malformed(why, value, describe(header));
      return false;
    }
    body = listener.wantsBody(type) ? new byte[length] : null;
    return true;
  }

  /** The first bytes as text if they are printable (a plain-text protocol), else hex. */
  static String describe(byte[] b) {
    boolean printable = true;
    for (byte x : b) {
      printable &= (x >= 0x20 && x < 0x7F) || x == '\r' || x == '\n';
    }
    if (printable) {
      return "\"" + new String(b, StandardCharsets.US_ASCII).replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", x & 0xFF));
    }
    return sb.toString();
  }
}
