package emu.node.apps.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * What iperf3's client and server say to each other (iperf 3.x, as Debian's iperf3 speaks it),
 * so that emu's {@code iperf3} measures against the real one both ways. The client opens a TCP
 * control connection and sends a {@value #COOKIE_SIZE}-byte cookie (36 characters and a NUL);
 * the server then drives the test with one signed state byte at a time ({@link #PARAM_EXCHANGE}
 * ...), the client answering with its own ({@link #TEST_END}, {@link #IPERF_DONE}). The test's
 * parameters and each side's results travel as JSON after a 4-byte big-endian length. Each data
 * stream is a TCP connection of its own that first sends the same cookie; a UDP stream's socket
 * sends a 4-byte "connect" datagram that the server answers, and each data datagram starts with
 * the sender's clock (seconds, microseconds) and a sequence number counting from 1.
 */
public final class Iperf3Protocol {
  public static final int DEFAULT_PORT = 5201;
  public static final int COOKIE_SIZE = 37;
  /** A JSON message longer than this is not iperf3 talking: the test ends with an error. */
  public static final int MAX_JSON = 1 << 20;

  public static final byte TEST_START = 1;
  public static final byte TEST_RUNNING = 2;
  public static final byte TEST_END = 4;
  public static final byte PARAM_EXCHANGE = 9;
  public static final byte CREATE_STREAMS = 10;
  public static final byte SERVER_TERMINATE = 11;
  public static final byte CLIENT_TERMINATE = 12;
  public static final byte EXCHANGE_RESULTS = 13;
  public static final byte DISPLAY_RESULTS = 14;
  public static final byte IPERF_DONE = 16;
  public static final byte ACCESS_DENIED = -1;
  public static final byte SERVER_ERROR = -2;

  /**
   * The UDP stream's hello and the server's answer, as the bytes iperf 3.12 puts on the wire
   * (it writes the ints 0x36373839 and 0x39383736 in x86's byte order). Older servers answer
   * other 4 bytes; any 4-byte answer will do, as it did for them.
   */
  public static final byte[] UDP_CONNECT = {0x39, 0x38, 0x37, 0x36};
  public static final byte[] UDP_CONNECT_REPLY = {0x36, 0x37, 0x38, 0x39};

  /** The client version this side claims: the protocol it speaks is 3.12's. */
  public static final String VERSION = "3.12";
  /** iperf3's default block sizes: 128 KiB over TCP; over UDP one that fits a 1500-byte MTU. */
  public static final int DEFAULT_TCP_LEN = 128 * 1024;
  public static final int DEFAULT_UDP_LEN = 1460;
  /** The largest UDP block: what fits in one IPv4 datagram. */
  public static final int MAX_UDP_LEN = 65507;
  public static final int MAX_TCP_LEN = 1 << 20;
  /** iperf3's default UDP rate when -b is not given: 1 Mbit/s. */
  public static final long DEFAULT_UDP_RATE = 1_000_000;
  public static final int MAX_STREAMS = 128;

  static final ObjectMapper JSON = new ObjectMapper();
  private static final char[] COOKIE_CHARS = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private Iperf3Protocol() {}

  /** A fresh cookie: 36 characters of iperf3's alphabet, then the NUL. */
  public static byte[] cookie(RandomGenerator random) {
    byte[] c = new byte[COOKIE_SIZE];
    for (int i = 0; i < COOKIE_SIZE - 1; i++) {
      c[i] = (byte) COOKIE_CHARS[random.nextInt(COOKIE_CHARS.length)];
    }
    return c;
  }

  /** The cookie's text, without its NUL. */
  public static String cookieText(byte[] cookie) {
    int n = 0;
    while (n < cookie.length && cookie[n] != 0) {
      n++;
    }
    return new String(cookie, 0, n, StandardCharsets.US_ASCII);
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  public static ArrayNode array() {
    return JSON.createArrayNode();
  }

  /** A JSON message as it goes on the control connection: its length, big-endian, then the text. */
  public static ByteBuf frame(ByteBufAllocator alloc, JsonNode message) {
    byte[] text;
    try {
      text = JSON.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return alloc.buffer(4 + text.length).writeInt(text.length).writeBytes(text);
  }

  /** Pretty JSON text, as iperf3 -J prints it (spaces rather than its tabs). */
  public static String pretty(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The bytes of a control connection as they arrive, taken as what is awaited: a state byte,
   * the cookie, or a length-prefixed JSON message. Owns its buffer; {@link #release} at the end.
   */
  public static final class Reader {
    private ByteBuf acc;

    public Reader(ByteBufAllocator alloc) {
      acc = alloc.buffer(256);
    }

    /** Appends what arrived, and releases {@code in}. */
    public void add(ByteBuf in) {
      try {
        if (acc == null) {
          return; // released: the connection is being closed
        }
        acc.discardReadBytes();
        acc.writeBytes(in);
      } finally {
        in.release();
      }
    }

    public int readable() {
      return acc == null ? 0 : acc.readableBytes();
    }

    /** The next state byte, or null if none has arrived. */
    public Byte state() {
      return acc.isReadable() ? acc.readByte() : null;
    }

    /** The next {@code n} bytes, or null if fewer have arrived. */
    public byte[] bytes(int n) {
      if (acc.readableBytes() < n) {
        return null;
      }
      byte[] b = new byte[n];
      acc.readBytes(b);
      return b;
    }

    /** What is left after the awaited parts (a data stream's first data); the reader is empty after. */
    public ByteBuf rest() {
      return acc.readRetainedSlice(acc.readableBytes());
    }

    /**
     * The next JSON message, or null if it has not all arrived.
     *
     * @throws IllegalArgumentException if its length is out of bounds or it is not a JSON object
     */
    public JsonNode json() {
      if (acc.readableBytes() < 4) {
        return null;
      }
      int len = acc.getInt(acc.readerIndex());
      if (len <= 0 || len > MAX_JSON) {
        throw new IllegalArgumentException("a JSON message of " + Integer.toUnsignedString(len) + " bytes");
      }
      if (acc.readableBytes() < 4 + len) {
        return null;
      }
      acc.skipBytes(4);
      byte[] text = new byte[len];
      acc.readBytes(text);
      JsonNode n;
      try {
        n = JSON.readTree(text);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("JSON that does not parse: "
            + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
      }
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("JSON that is not an object");
      }
      return n;
    }

    public void release() {
      if (acc != null) {
        acc.release();
        acc = null;
      }
    }
  }

  /** The name iperf3 prints for a state byte, for error messages. */
  public static String stateName(int s) {
    return switch (s) {
      case TEST_START -> "TEST_START";
      case TEST_RUNNING -> "TEST_RUNNING";
      case TEST_END -> "TEST_END";
      case PARAM_EXCHANGE -> "PARAM_EXCHANGE";
      case CREATE_STREAMS -> "CREATE_STREAMS";
      case SERVER_TERMINATE -> "SERVER_TERMINATE";
      case CLIENT_TERMINATE -> "CLIENT_TERMINATE";
      case EXCHANGE_RESULTS -> "EXCHANGE_RESULTS";
      case DISPLAY_RESULTS -> "DISPLAY_RESULTS";
      case IPERF_DONE -> "IPERF_DONE";
      case ACCESS_DENIED -> "ACCESS_DENIED";
      case SERVER_ERROR -> "SERVER_ERROR";
      default -> "state " + s;
    };
  }
}
