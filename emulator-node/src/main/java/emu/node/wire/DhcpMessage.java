package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Checked zero-copy view of a BOOTP/DHCP message (RFC 2131 section 2, options per RFC 2132):
 *
 * <pre>
 *  op(1) htype(1) hlen(1) hops(1) | xid(4) | secs(2) flags(2)
 *  ciaddr(4) | yiaddr(4) | siaddr(4) | giaddr(4) | chaddr(16) | sname(64) | file(128)
 *  magic cookie 99.130.83.99 (4) | options, each code(1) length(1) value, 0 pad, 255 end
 * </pre>
 *
 * <p>{@link #check()} walks the options once, bounds-checked, and remembers where each one's value
 * starts; the accessors read from there. Only Ethernet (htype 1, hlen 6) is accepted. Option
 * overload (52, which moves options into sname/file) is refused: no client emu knows of sends it,
 * and a server must not need it for the options it answers. A code seen twice keeps its first
 * value (RFC 3396 concatenation is not done).
 */
public final class DhcpMessage {
  public static final int OP = 0;
  public static final int HTYPE = 1;
  public static final int HLEN = 2;
  public static final int HOPS = 3;
  public static final int XID = 4;
  public static final int SECS = 8;
  public static final int FLAGS = 10;
  public static final int CIADDR = 12;
  public static final int YIADDR = 16;
  public static final int SIADDR = 20;
  public static final int GIADDR = 24;
  public static final int CHADDR = 28;
  public static final int SNAME = 44;
  public static final int FILE = 108;
  public static final int MAGIC = 236;
  public static final int OPTIONS = 240;
  public static final int MAGIC_COOKIE = 0x63825363;
  /** The BOOTP minimum (RFC 1542 2.1): messages are padded to 300 bytes. */
  public static final int MIN_LEN = 300;
  public static final int FLAG_BROADCAST = 0x8000;

  public static final int OP_REQUEST = 1;
  public static final int OP_REPLY = 2;
  public static final int HTYPE_ETHERNET = 1;

  public static final int SERVER_PORT = 67;
  public static final int CLIENT_PORT = 68;

  public static final int OPT_PAD = 0;
  public static final int OPT_SUBNET_MASK = 1;
  public static final int OPT_ROUTER = 3;
  public static final int OPT_DNS = 6;
  public static final int OPT_HOSTNAME = 12;
  public static final int OPT_DOMAIN = 15;
  public static final int OPT_BROADCAST = 28;
  public static final int OPT_REQUESTED_IP = 50;
  public static final int OPT_LEASE_TIME = 51;
  public static final int OPT_OVERLOAD = 52;
  public static final int OPT_MESSAGE_TYPE = 53;
  public static final int OPT_SERVER_ID = 54;
  public static final int OPT_PARAMETER_LIST = 55;
  public static final int OPT_MESSAGE = 56;
  public static final int OPT_RENEWAL_TIME = 58;
  public static final int OPT_REBINDING_TIME = 59;
  public static final int OPT_CLIENT_ID = 61;
  /** Relay Agent Information (RFC 3046): sub-options, each code(1) length(1) value. */
  public static final int OPT_RELAY_AGENT = 82;
  /** Option 82's sub-option 1, the circuit the relay heard the client on. */
  public static final int AGENT_CIRCUIT_ID = 1;
  public static final int OPT_END = 255;

  public static final int DISCOVER = 1;
  public static final int OFFER = 2;
  public static final int REQUEST = 3;
  public static final int DECLINE = 4;
  public static final int ACK = 5;
  public static final int NAK = 6;
  public static final int RELEASE = 7;
  public static final int INFORM = 8;

  /** Why a message was refused; OK if it was not. */
  public enum Check {
    OK,
    /** Shorter than the fixed header and magic cookie. */
    TRUNCATED,
    /** op neither BOOTREQUEST nor BOOTREPLY. */
    BAD_OP,
    /** htype not Ethernet or hlen not 6. */
    NOT_ETHERNET,
    /** No DHCP magic cookie: plain BOOTP, which emu does not serve. */
    BAD_MAGIC,
    /** An option's length runs past the message, or the options have no end. */
    OPTIONS_OVERRUN,
    /** Option 52: options overloaded into sname/file. */
    OVERLOAD,
    /** No option 53. */
    NO_MESSAGE_TYPE,
    /** Option 53 of the wrong length or an unknown type. */
    BAD_MESSAGE_TYPE
  }

  private ByteBuf buf;
  private int start;
  private int length;
  /** Index of each option's value in the buffer, -1 if absent. */
  private final int[] at = new int[256];
  private final int[] len = new int[256];
  /** Index of the end option (255) in the buffer, after {@link #check()} said OK. */
  private int end;

  /** Views the {@code length} bytes at {@code start} (a UDP payload). */
  public DhcpMessage wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = Math.max(0, Math.min(length, buf.writerIndex() - start));
    return this;
  }

  public Check check() {
    Arrays.fill(at, -1);
    if (length < OPTIONS) {
      return Check.TRUNCATED;
    }
    int op = op();
    if (op != OP_REQUEST && op != OP_REPLY) {
      return Check.BAD_OP;
    }
    if (buf.getUnsignedByte(start + HTYPE) != HTYPE_ETHERNET || buf.getUnsignedByte(start + HLEN) != 6) {
      return Check.NOT_ETHERNET;
    }
    if (buf.getInt(start + MAGIC) != MAGIC_COOKIE) {
      return Check.BAD_MAGIC;
    }
    int i = start + OPTIONS;
    int end = start + length;
    boolean ended = false;
    while (i < end) {
      int code = buf.getUnsignedByte(i);
      if (code == OPT_PAD) {
        i++;
        continue;
      }
      if (code == OPT_END) {
        ended = true;
        this.end = i;
        break;
      }
      if (i + 1 >= end) {
        return Check.OPTIONS_OVERRUN;
      }
      int l = buf.getUnsignedByte(i + 1);
      if (i + 2 + l > end) {
        return Check.OPTIONS_OVERRUN;
      }
      if (at[code] < 0) {
        at[code] = i + 2;
        len[code] = l;
      }
      i += 2 + l;
    }
    if (!ended) {
      return Check.OPTIONS_OVERRUN;
    }
    if (at[OPT_OVERLOAD] >= 0) {
      return Check.OVERLOAD;
    }
    if (at[OPT_MESSAGE_TYPE] < 0) {
      return Check.NO_MESSAGE_TYPE;
    }
    if (len[OPT_MESSAGE_TYPE] != 1) {
      return Check.BAD_MESSAGE_TYPE; // its length first: a 0-length option 53's byte is the next option's
    }
    int type = messageType();
    if (type < DISCOVER || type > INFORM) {
      return Check.BAD_MESSAGE_TYPE;
    }
    return Check.OK;
  }

  /**
   * Index in the buffer of the end option (255): the options before it, from {@link #OPTIONS},
   * are the message's (a relay copies them and adds its own before a new end).
   */
  public int endIndex() {
    return end;
  }

  /** Index in the buffer of the message's first byte. */
  public int start() {
    return start;
  }

  /** The buffer viewed, to read an option's bytes at {@link #optionIndex}. */
  public ByteBuf buffer() {
    return buf;
  }

  public int op() {
    return buf.getUnsignedByte(start + OP);
  }

  public int hops() {
    return buf.getUnsignedByte(start + HOPS);
  }

  public int xid() {
    return buf.getInt(start + XID);
  }

  public int secs() {
    return buf.getUnsignedShort(start + SECS);
  }

  public int flags() {
    return buf.getUnsignedShort(start + FLAGS);
  }

  public boolean broadcastFlag() {
    return (flags() & FLAG_BROADCAST) != 0;
  }

  public int ciaddr() {
    return buf.getInt(start + CIADDR);
  }

  public int yiaddr() {
    return buf.getInt(start + YIADDR);
  }

  public int siaddr() {
    return buf.getInt(start + SIADDR);
  }

  public int giaddr() {
    return buf.getInt(start + GIADDR);
  }

  /** The client's hardware address (6 bytes, as {@code MacAddress} bits). */
  public long chaddr() {
    return ((long) buf.getUnsignedShort(start + CHADDR) << 32) | buf.getUnsignedInt(start + CHADDR + 2);
  }

  /** Option 53's value; valid after {@link #check()} said OK. */
  public int messageType() {
    return buf.getUnsignedByte(at[OPT_MESSAGE_TYPE]);
  }

  public boolean has(int code) {
    return at[code] >= 0;
  }

  /** Index in the buffer of option {@code code}'s value, -1 if absent. */
  public int optionIndex(int code) {
    return at[code];
  }

  public int optionLength(int code) {
    return at[code] < 0 ? 0 : len[code];
  }

  /** A four-byte option's value (an address or seconds), {@code absent} if missing or not 4 bytes. */
  public int optionInt(int code, int absent) {
    return at[code] < 0 || len[code] != 4 ? absent : buf.getInt(at[code]);
  }

  /** A text option (host name 12, domain 15, message 56), null if absent. */
  public String optionText(int code) {
    return at[code] < 0 ? null : buf.toString(at[code], len[code], StandardCharsets.US_ASCII);
  }

  /** An option's bytes as lower-case hex pairs joined by ':' (client-id as dnsmasq writes it), null if absent. */
  public String optionHex(int code) {
    if (at[code] < 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder(len[code] * 3);
    for (int k = 0; k < len[code]; k++) {
      if (k > 0) {
        sb.append(':');
      }
      sb.append(String.format("%02x", buf.getUnsignedByte(at[code] + k)));
    }
    return sb.toString();
  }

  /** True if the parameter request list (55) asks for {@code code}. */
  public boolean requests(int code) {
    int i = at[OPT_PARAMETER_LIST];
    for (int k = 0; i >= 0 && k < len[OPT_PARAMETER_LIST]; k++) {
      if (buf.getUnsignedByte(i + k) == code) {
        return true;
      }
    }
    return false;
  }

  public static String typeName(int type) {
    return switch (type) {
      case DISCOVER -> "DISCOVER";
      case OFFER -> "OFFER";
      case REQUEST -> "REQUEST";
      case DECLINE -> "DECLINE";
      case ACK -> "ACK";
      case NAK -> "NAK";
      case RELEASE -> "RELEASE";
      case INFORM -> "INFORM";
      default -> "type " + type;
    };
  }

  /**
   * Writes a message into a buffer: the fixed header at the writer index, then options, then
   * {@link #finish} adds the end option and pads to {@link #MIN_LEN}.
   */
  public static final class Writer {
    private ByteBuf out;
    private int begin;

    public Writer begin(ByteBuf out, int op, int xid, int secs, int flags, int ciaddr, int yiaddr, int siaddr,
                        int giaddr, long chaddr) {
      this.out = out;
      this.begin = out.writerIndex();
      out.writeByte(op).writeByte(HTYPE_ETHERNET).writeByte(6).writeByte(0);
      out.writeInt(xid).writeShort(secs).writeShort(flags);
      out.writeInt(ciaddr).writeInt(yiaddr).writeInt(siaddr).writeInt(giaddr);
      out.writeShort((int) (chaddr >>> 32)).writeInt((int) chaddr);
      out.writeZero(10 + 64 + 128);
      out.writeInt(MAGIC_COOKIE);
      return this;
    }

    public Writer optionByte(int code, int value) {
      out.writeByte(code).writeByte(1).writeByte(value);
      return this;
    }

    public Writer optionInt(int code, int value) {
      out.writeByte(code).writeByte(4).writeInt(value);
      return this;
    }

    public Writer optionInts(int code, int[] values) {
      if (values.length > 255 / 4) {
        throw new IllegalArgumentException("option " + code + " longer than 255 bytes");
      }
      out.writeByte(code).writeByte(4 * values.length);
      for (int v : values) {
        out.writeInt(v);
      }
      return this;
    }

    public Writer optionBytes(int code, byte[] value) {
      if (value.length > 255) {
        throw new IllegalArgumentException("option " + code + " longer than 255 bytes");
      }
      out.writeByte(code).writeByte(value.length).writeBytes(value);
      return this;
    }

    public Writer optionText(int code, String value) {
      return optionBytes(code, value.getBytes(StandardCharsets.US_ASCII));
    }

    /** Ends the options and pads to the BOOTP minimum; returns the message's length. */
    public int finish() {
      out.writeByte(OPT_END);
      int written = out.writerIndex() - begin;
      if (written < MIN_LEN) {
        out.writeZero(MIN_LEN - written);
      }
      return out.writerIndex() - begin;
    }
  }
}
