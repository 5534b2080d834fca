package emu.node.wire;

import io.netty.buffer.ByteBuf;

/**
 * Walks the extension headers after an IPv6 fixed header (RFC 8200 section 4) to the upper-layer
 * header, checking each against the bytes present: hop-by-hop options (only first, 4.3),
 * routing (4.4: a header with segments left is refused, this node does not source-route),
 * fragment (4.5: its fields are kept for reassembly; a first fragment must carry the whole chain
 * up to the upper-layer header, RFC 7112), destination options (4.6), and options
 * inside the two options headers (4.2: the two high bits of an unknown option's type say skip,
 * discard, or discard and report). One instance per stage, reused for every packet: it allocates
 * nothing. At most {@link #MAX_HEADERS} extension headers are followed (RFC 8504 allows a limit),
 * so a crafted chain costs bounded work.
 *
 * <p>After {@link #walk} returns {@link Result#OK}: {@link #protocol()} is the upper layer's
 * number (59, "no next header", included), {@link #payloadIndex()} where it starts, and
 * {@link #nextHeaderField()} the packet offset of the field that named it (what an ICMPv6
 * parameter problem points at when the protocol is unknown). After an error:
 * {@link #problemPointer()} is that offset for the error's field, and {@link #problemCode()} the
 * ICMPv6 parameter problem code (RFC 4443 3.4), or -1 when the packet is dropped silently.
 */
public final class Ipv6Extensions {
  public static final int HOP_BY_HOP = 0;
  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int ROUTING = 43;
  public static final int FRAGMENT = 44;
  public static final int ESP = 50;
  public static final int AUTH = 51;
  public static final int ICMPV6 = 58;
  public static final int NO_NEXT_HEADER = 59;
  public static final int DESTINATION_OPTIONS = 60;
  /** Extension headers followed before a packet is refused as too deep. */
  public static final int MAX_HEADERS = 8;
  /** Fragment header length (fixed). */
  public static final int FRAGMENT_HEADER_LEN = 8;

  /** Parameter problem codes (RFC 4443 3.4). */
  public static final int ERRONEOUS_HEADER_FIELD = 0;
  public static final int UNRECOGNIZED_NEXT_HEADER = 1;
  public static final int UNRECOGNIZED_OPTION = 2;
  /** The first fragment does not hold the whole header chain (RFC 7112). */
  public static final int INCOMPLETE_HEADER_CHAIN = 3;

  /** Outcome of {@link #walk}. */
  public enum Result {
    OK,
    /** A header runs past the packet's end. */
    TRUNCATED,
    /** A hop-by-hop header somewhere other than first (RFC 8200 4.1). */
    HOP_BY_HOP_NOT_FIRST,
    /** An option whose type says discard (with or without a report). */
    BAD_OPTION,
    /** A routing header with segments left (this node does not source-route). */
    ROUTING_REFUSED,
    /** Two fragment headers, a fragment not a multiple of 8 bytes, or one ending past 65535 bytes. */
    BAD_FRAGMENT,
    /**
     * A first fragment (offset 0, more to come) that does not hold every header up to and
     * including the upper-layer header (RFC 7112; RFC 8200 4.5): parameter problem code 3.
     */
    INCOMPLETE_CHAIN,
    /** More than {@link #MAX_HEADERS} extension headers. */
    TOO_MANY_HEADERS
  }

  private int protocol;
  private int payloadIndex;
  private int nextHeaderField;
  private int problemPointer;
  private int problemCode;
  private boolean hopByHop;
  private int fragmentHeader;
  private int fragmentField;
  private int fragmentOffset;
  private boolean moreFragments;
  private int identification;

  /**
   * Walks the headers of the checked IPv6 packet at {@code ipStart} of {@code buf} (its payload
   * length already checked against the buffer). {@code dstMulticast}: the destination is a
   * multicast address (an option of type 11xxxxxx is then discarded silently).
   */
  public Result walk(ByteBuf buf, int ipStart, boolean dstMulticast) {
    int end = ipStart + Ipv6Packet.HEADER_LEN + buf.getUnsignedShort(ipStart + Ipv6Packet.PAYLOAD_LENGTH);
    int next = buf.getUnsignedByte(ipStart + Ipv6Packet.NEXT_HEADER);
    int field = Ipv6Packet.NEXT_HEADER;
    int at = ipStart + Ipv6Packet.HEADER_LEN;
    hopByHop = false;
    fragmentHeader = -1;
    fragmentField = -1;
    boolean firstFragment = false;
    fragmentOffset = 0;
    moreFragments = false;
    identification = 0;
    problemCode = -1;
    problemPointer = 0;
    for (int headers = 0; ; headers++) {
      switch (next) {
        case HOP_BY_HOP, DESTINATION_OPTIONS, ROUTING -> {
          if (next == HOP_BY_HOP && headers != 0) {
            return problem(Result.HOP_BY_HOP_NOT_FIRST, UNRECOGNIZED_NEXT_HEADER, field);
          }
          if (headers == MAX_HEADERS) {
            return problem(Result.TOO_MANY_HEADERS, -1, field);
          }
          int len = end - at < 8 ? 8 : (buf.getUnsignedByte(at + 1) + 1) * 8;
          if (end - at < len) {
            if (firstFragment) {
              return problem(Result.INCOMPLETE_CHAIN, INCOMPLETE_HEADER_CHAIN, 0);
            }
            return end - at < 8 ? problem(Result.TRUNCATED, -1, field)
                : problem(Result.TRUNCATED, ERRONEOUS_HEADER_FIELD, at + 1 - ipStart);
          }
          if (next == ROUTING) {
            if (buf.getUnsignedByte(at + 3) != 0) { // segments left
              return problem(Result.ROUTING_REFUSED, ERRONEOUS_HEADER_FIELD, at + 2 - ipStart);
            }
          } else {
            Result r = options(buf, ipStart, at + 2, at + len, dstMulticast);
            if (r != Result.OK) {
              return r;
            }
            hopByHop |= next == HOP_BY_HOP;
          }
          field = at - ipStart;
          next = buf.getUnsignedByte(at);
          at += len;
        }
        case FRAGMENT -> {
          if (headers == MAX_HEADERS) {
            return problem(Result.TOO_MANY_HEADERS, -1, field);
          }
          if (fragmentHeader >= 0) {
            return problem(Result.BAD_FRAGMENT, -1, at - ipStart); // two fragment headers
          }
          if (end - at < FRAGMENT_HEADER_LEN) {
            return problem(Result.TRUNCATED, -1, field);
          }
          int offFlags = buf.getUnsignedShort(at + 2);
          fragmentHeader = at;
          fragmentField = field;
          fragmentOffset = offFlags & 0xFFF8;
          moreFragments = (offFlags & 1) != 0;
          identification = buf.getInt(at + 4);
          int fragmentBytes = end - at - FRAGMENT_HEADER_LEN;
          if (moreFragments && (fragmentBytes % 8 != 0 || fragmentBytes == 0)) {
            // RFC 8200 4.5: not a multiple of 8 octets and M set: parameter problem, code 0,
            // pointing at the payload length
            return problem(Result.BAD_FRAGMENT, ERRONEOUS_HEADER_FIELD, Ipv6Packet.PAYLOAD_LENGTH);
          }
          if (fragmentOffset + fragmentBytes > 65535) {
            return problem(Result.BAD_FRAGMENT, ERRONEOUS_HEADER_FIELD, at + 2 - ipStart);
          }
          field = at - ipStart;
          next = buf.getUnsignedByte(at);
          at += FRAGMENT_HEADER_LEN;
          if (fragmentOffset != 0) {
            // a later fragment: what follows is the middle of the original payload
            protocol = next;
            payloadIndex = at;
            nextHeaderField = field;
            return Result.OK;
          }
          firstFragment = moreFragments;
        }
        default -> {
          if (firstFragment && end - at < upperHeaderLength(next)) {
            return problem(Result.INCOMPLETE_CHAIN, INCOMPLETE_HEADER_CHAIN, 0);
          }
          protocol = next;
          payloadIndex = at;
          nextHeaderField = field;
          return Result.OK;
        }
      }
    }
  }

  /**
   * The bytes of an upper-layer header a first fragment must hold (RFC 7112), as Linux counts
   * them: TCP's fixed header, UDP's, ICMPv6's type, code, checksum and first word; one byte of
   * anything else, none after "no next header".
   */
  private static int upperHeaderLength(int protocol) {
    return switch (protocol) {
      case TCP -> 20;
      case UDP, ICMPV6 -> 8;
      case NO_NEXT_HEADER -> 0;
      default -> 1;
    };
  }

  /**
   * Writes a fragment header (RFC 8200 4.5) at {@code at} of {@code buf}, which must span it:
   * the next header, the fragment's offset in bytes (a multiple of 8), the M flag ("more
   * fragments") and the identification; the reserved fields zero.
   */
  public static void writeFragmentHeader(ByteBuf buf, int at, int nextHeader, int offset, boolean more,
                                         int identification) {
    buf.setByte(at, nextHeader);
    buf.setByte(at + 1, 0);
    buf.setShort(at + 2, (offset & 0xFFF8) | (more ? 1 : 0));
    buf.setInt(at + 4, identification);
  }

  /** The TLV options of a hop-by-hop or destination options header, from {@code at} to {@code end}. */
  private Result options(ByteBuf buf, int ipStart, int at, int end, boolean dstMulticast) {
    while (at < end) {
      int type = buf.getUnsignedByte(at);
      if (type == 0) { // Pad1
        at++;
        continue;
      }
      if (end - at < 2) {
        return problem(Result.TRUNCATED, ERRONEOUS_HEADER_FIELD, at - ipStart);
      }
      int len = buf.getUnsignedByte(at + 1);
      if (end - at - 2 < len) {
        return problem(Result.TRUNCATED, ERRONEOUS_HEADER_FIELD, at + 1 - ipStart);
      }
      if (type != 1 && type != 5) { // PadN and Router Alert (RFC 2711) are understood
        switch (type >>> 6) {
          case 0 -> { } // skip over this option
          case 1 -> {
            return problem(Result.BAD_OPTION, -1, at - ipStart);
          }
          case 2 -> {
            return problem(Result.BAD_OPTION, UNRECOGNIZED_OPTION, at - ipStart);
          }
          default -> {
            return problem(Result.BAD_OPTION, dstMulticast ? -1 : UNRECOGNIZED_OPTION, at - ipStart);
          }
        }
      }
      at += 2 + len;
    }
    return Result.OK;
  }

  private Result problem(Result r, int code, int pointer) {
    problemCode = code;
    problemPointer = pointer;
    return r;
  }

  /** The upper-layer protocol (after OK). */
  public int protocol() {
    return protocol;
  }

  /** Absolute index where the upper-layer header starts (after OK). */
  public int payloadIndex() {
    return payloadIndex;
  }

  /** Offset, from the start of the packet, of the Next Header field that named the upper layer. */
  public int nextHeaderField() {
    return nextHeaderField;
  }

  /** After an error: the offset (from the packet's start) of the field at fault. */
  public int problemPointer() {
    return problemPointer;
  }

  /** After an error: the ICMPv6 parameter problem code to report, or -1 to drop silently. */
  public int problemCode() {
    return problemCode;
  }

  public boolean hasHopByHop() {
    return hopByHop;
  }

  /** True if the packet carries a fragment header (an atomic fragment included, RFC 6946). */
  public boolean hasFragmentHeader() {
    return fragmentHeader >= 0;
  }

  /** Absolute index of the fragment header, or -1. */
  public int fragmentHeaderIndex() {
    return fragmentHeader;
  }

  /**
   * Offset, from the start of the packet, of the Next Header field that names the fragment
   * header (what reassembly rewrites with the fragment header's own Next Header), or -1.
   */
  public int fragmentNextHeaderField() {
    return fragmentField;
  }

  /** The fragment's offset in bytes. */
  public int fragmentOffset() {
    return fragmentOffset;
  }

  public boolean moreFragments() {
    return moreFragments;
  }

  public int identification() {
    return identification;
  }

  /** A fragment header that says the packet is whole (offset 0, M clear): an atomic fragment. */
  public boolean isAtomicFragment() {
    return fragmentHeader >= 0 && fragmentOffset == 0 && !moreFragments;
  }
}
