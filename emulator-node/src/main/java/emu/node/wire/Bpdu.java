package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * Zero-copy view of a spanning-tree BPDU (IEEE 802.1D-2004 clause 9) with its 802.2 LLC header, as
 * it follows the 802.3 length field of a frame to 01:80:c2:00:00:00. Offsets count from the LLC
 * header:
 *
 * <pre>
 *  0        1        2        3-4            5         6        7
 * +--------+--------+--------+--------------+---------+--------+--------+
 * | DSAP   | SSAP   | control| protocol id  | version | type   | flags  |
 * | 0x42   | 0x42   | 0x03   | 0x0000       | 0/2     | 00/80/02        |
 * +--------+--------+--------+--------------+---------+--------+--------+
 *  8-15 root id (priority 2 + MAC 6)   16-19 root path cost
 *  20-27 bridge id                     28-29 port id
 *  30-31 message age  32-33 max age  34-35 hello time  36-37 forward delay  (1/256 s)
 *  38 version 1 length (RSTP only, 0)
 * </pre>
 *
 * A TCN BPDU stops after the type (7 bytes with LLC), a configuration BPDU after the forward delay
 * (38), an RST BPDU after the version 1 length (39). Flags: bit 0 topology change, 1 proposal,
 * 2-3 port role (1 alternate/backup, 2 root, 3 designated), 4 learning, 5 forwarding, 6 agreement,
 * 7 topology change acknowledgment (configuration BPDUs use only bits 0 and 7).
 */
public final class Bpdu {
  public static final int DSAP = 0;
  public static final int SSAP = 1;
  public static final int CONTROL = 2;
  public static final int PROTOCOL_ID = 3;
  public static final int VERSION = 5;
  public static final int TYPE = 6;
  public static final int FLAGS = 7;
  public static final int ROOT_ID = 8;
  public static final int ROOT_PATH_COST = 16;
  public static final int BRIDGE_ID = 20;
  public static final int PORT_ID = 28;
  public static final int MESSAGE_AGE = 30;
  public static final int MAX_AGE = 32;
  public static final int HELLO_TIME = 34;
  public static final int FORWARD_DELAY = 36;
  public static final int VERSION1_LENGTH = 38;

  public static final int TCN_LEN = 7;
  public static final int CONFIG_LEN = 38;
  public static final int RST_LEN = 39;

  /** The bridge group address every BPDU is sent to (802.1D-2004 table 7-10). */
  public static final long GROUP_ADDRESS = 0x01_80_C2_00_00_00L;
  public static final int LLC_SAP = 0x42;
  public static final int LLC_UI = 0x03;

  public static final int TYPE_CONFIG = 0x00;
  public static final int TYPE_TCN = 0x80;
  public static final int TYPE_RST = 0x02;

  public static final int FLAG_TC = 0x01;
  public static final int FLAG_PROPOSAL = 0x02;
  public static final int ROLE_SHIFT = 2;
  public static final int FLAG_LEARNING = 0x10;
  public static final int FLAG_FORWARDING = 0x20;
  public static final int FLAG_AGREEMENT = 0x40;
  public static final int FLAG_TCA = 0x80;
  /** Port role codes in flags bits 2-3. */
  public static final int ROLE_UNKNOWN = 0;
  public static final int ROLE_ALTERNATE_BACKUP = 1;
  public static final int ROLE_ROOT = 2;
  public static final int ROLE_DESIGNATED = 3;

  /** Outcome of {@link #check}: what makes a BPDU unusable, named for the drop counters. */
  public enum Check { OK, TRUNCATED, NOT_LLC_BPDU, BAD_PROTOCOL_ID, BAD_TYPE, BAD_MESSAGE_AGE }

  private ByteBuf buf;
  private int start;
  private int len;

  /** Wraps {@code len} bytes at {@code start} (the LLC header; the 802.3 length says how many). */
  public Bpdu wrap(ByteBuf buf, int start, int len) {
    this.buf = buf;
    this.start = start;
    this.len = len;
    return this;
  }

  /**
   * Checks untrusted input (802.1D-2004 9.3.4): LLC 42/42/03, protocol id 0, a known type with its
   * length, and for configuration and RST BPDUs a message age below the max age. Unknown versions
   * above 2 are read as RST BPDUs, as the standard says.
   */
  public Check check() {
    if (len < TCN_LEN || buf.writerIndex() - start < len) {
      return Check.TRUNCATED;
    }
    if (buf.getUnsignedByte(start + DSAP) != LLC_SAP || buf.getUnsignedByte(start + SSAP) != LLC_SAP
        || buf.getUnsignedByte(start + CONTROL) != LLC_UI) {
      return Check.NOT_LLC_BPDU;
    }
    if (protocolId() != 0) {
      return Check.BAD_PROTOCOL_ID;
    }
    int type = type();
    if (type == TYPE_TCN) {
      return Check.OK;
    }
    if (type == TYPE_CONFIG || (type == TYPE_RST && version() >= 2)) {
      if (len < (type == TYPE_CONFIG ? CONFIG_LEN : RST_LEN)) {
        return Check.TRUNCATED;
      }
      return messageAge() >= maxAge() ? Check.BAD_MESSAGE_AGE : Check.OK;
    }
    return Check.BAD_TYPE;
  }

  public int protocolId() {
    return buf.getUnsignedShort(start + PROTOCOL_ID);
  }

  public int version() {
    return buf.getUnsignedByte(start + VERSION);
  }

  public int type() {
    return buf.getUnsignedByte(start + TYPE);
  }

  public int flags() {
    return buf.getUnsignedByte(start + FLAGS);
  }

  public long rootId() {
    return buf.getLong(start + ROOT_ID);
  }

  public long rootPathCost() {
    return buf.getUnsignedInt(start + ROOT_PATH_COST);
  }

  public long bridgeId() {
    return buf.getLong(start + BRIDGE_ID);
  }

  public int portId() {
    return buf.getUnsignedShort(start + PORT_ID);
  }

  /** In 1/256 s, as all four times. */
  public int messageAge() {
    return buf.getUnsignedShort(start + MESSAGE_AGE);
  }

  public int maxAge() {
    return buf.getUnsignedShort(start + MAX_AGE);
  }

  public int helloTime() {
    return buf.getUnsignedShort(start + HELLO_TIME);
  }

  public int forwardDelay() {
    return buf.getUnsignedShort(start + FORWARD_DELAY);
  }

  /** The port role in flags bits 2-3 (an RST BPDU's; a configuration BPDU's reads as designated). */
  public static int role(int flags) {
    return (flags >> ROLE_SHIFT) & 3;
  }

  /**
   * A BPDU as a value. {@code type} selects the length: {@link #TYPE_TCN} emits 7 bytes, {@link
   * #TYPE_CONFIG} 38, {@link #TYPE_RST} 39; times are in 1/256 s.
   */
  public record Repr(int type, int flags, long rootId, long rootPathCost, long bridgeId, int portId,
                     int messageAge, int maxAge, int helloTime, int forwardDelay) {
    public static Repr tcn() {
      return new Repr(TYPE_TCN, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public static Repr parse(Bpdu b) {
      if (b.type() == TYPE_TCN) {
        return tcn();
      }
      return new Repr(b.type(), b.flags(), b.rootId(), b.rootPathCost(), b.bridgeId(), b.portId(), b.messageAge(),
          b.maxAge(), b.helloTime(), b.forwardDelay());
    }

    public int bufferLen() {
      return type == TYPE_TCN ? TCN_LEN : type == TYPE_CONFIG ? CONFIG_LEN : RST_LEN;
    }

    public void emit(Bpdu v) {
      ByteBuf b = v.buf;
      int s = v.start;
      b.setByte(s + DSAP, LLC_SAP);
      b.setByte(s + SSAP, LLC_SAP);
      b.setByte(s + CONTROL, LLC_UI);
      b.setShort(s + PROTOCOL_ID, 0);
      b.setByte(s + VERSION, type == TYPE_RST ? 2 : 0);
      b.setByte(s + TYPE, type);
      if (type == TYPE_TCN) {
        return;
      }
      b.setByte(s + FLAGS, flags);
      b.setLong(s + ROOT_ID, rootId);
      b.setInt(s + ROOT_PATH_COST, (int) rootPathCost);
      b.setLong(s + BRIDGE_ID, bridgeId);
      b.setShort(s + PORT_ID, portId);
      b.setShort(s + MESSAGE_AGE, messageAge);
      b.setShort(s + MAX_AGE, maxAge);
      b.setShort(s + HELLO_TIME, helloTime);
      b.setShort(s + FORWARD_DELAY, forwardDelay);
      if (type == TYPE_RST) {
        b.setByte(s + VERSION1_LENGTH, 0);
      }
    }
  }
}
