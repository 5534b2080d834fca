package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Neighbor Discovery for IPv6 (RFC 4861): the fields of router and neighbour solicitations and
 * advertisements and of redirects, read from and written into an ICMPv6 message in place; their
 * options ({@link Options}); and the checks every receiver makes before believing one
 * ({@link #check}).
 *
 * <pre>
 * Router Solicitation (133)      | Reserved (4) | Options ...
 * Router Advertisement (134)     | Cur Hop Limit | M O | Router Lifetime | Reachable Time (4) | Retrans Timer (4) | Options ...
 * Neighbor Solicitation (135)    | Reserved (4) | Target Address (16) | Options ...
 * Neighbor Advertisement (136)   | R S O Reserved (4) | Target Address (16) | Options ...
 * Redirect (137)                 | Reserved (4) | Target Address (16) | Destination Address (16) | Options ...
 * </pre>
 *
 * <p>Offsets below are from the start of the ICMPv6 message.
 */
public final class Ndp {
  /** Every NDP message is sent with, and must arrive with, this hop limit (RFC 4861 6.1, 7.1). */
  public static final int HOP_LIMIT = 255;

  public static final int OPT_SOURCE_LINK_ADDRESS = 1;
  public static final int OPT_TARGET_LINK_ADDRESS = 2;
  public static final int OPT_PREFIX_INFORMATION = 3;
  public static final int OPT_REDIRECTED_HEADER = 4;
  public static final int OPT_MTU = 5;

  public static final int TARGET = 8;
  public static final int REDIRECT_DESTINATION = 24;
  public static final int RA_CUR_HOP_LIMIT = 4;
  public static final int RA_FLAGS = 5;
  public static final int RA_ROUTER_LIFETIME = 6;
  public static final int RA_REACHABLE_TIME = 8;
  public static final int RA_RETRANS_TIMER = 12;
  public static final int NA_FLAGS = 4;
  public static final int NA_ROUTER = 0x80;
  public static final int NA_SOLICITED = 0x40;
  public static final int NA_OVERRIDE = 0x20;
  public static final int RA_MANAGED = 0x80;
  public static final int RA_OTHER = 0x40;
  /** Prefix information flags (RFC 4861 4.6.2). */
  public static final int PREFIX_ON_LINK = 0x80;
  public static final int PREFIX_AUTONOMOUS = 0x40;

  private Ndp() {}

  /** Bytes before the options of an NDP message of {@code type}, or -1 if it is not one. */
  public static int fixedLength(int type) {
    return switch (type) {
      case Icmpv6Packet.TYPE_ROUTER_SOLICITATION -> 8;
      case Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT -> 16;
      case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION, Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT -> 24;
      case Icmpv6Packet.TYPE_REDIRECT -> 40;
      default -> -1;
    };
  }

  /** Outcome of {@link #check}: why a receiver must silently discard the message (RFC 4861 6.1, 7.1, 8.1). */
  public enum Check {
    OK,
    /** Not an NDP message type. */
    NOT_NDP,
    /** The hop limit is not 255: the message was forwarded, so it did not come from this link. */
    BAD_HOP_LIMIT,
    /** A code other than 0. */
    BAD_CODE,
    /** Shorter than the message's fixed fields. */
    TRUNCATED,
    /** An option of length 0 or running past the message. */
    BAD_OPTION_LENGTH,
    /** A solicitation's or advertisement's target is a multicast address. */
    MULTICAST_TARGET,
    /** A router advertisement or redirect not from a link-local source. */
    SOURCE_NOT_LINK_LOCAL,
    /** From the unspecified address with a source link-layer address option, or to the wrong destination. */
    BAD_UNSPECIFIED_SOURCE,
    /** A solicited advertisement sent to a multicast address. */
    SOLICITED_TO_MULTICAST,
    /** A redirect whose destination is a multicast address. */
    MULTICAST_DESTINATION
  }

  /**
   * The validity checks of RFC 4861 for the NDP message {@code icmp} in the packet {@code ip}
   * (its checksum already verified); {@code options} is filled as a side effect.
   */
  public static Check check(Ipv6Packet ip, Icmpv6Packet icmp, Options options) {
    int type = icmp.type();
    int fixed = fixedLength(type);
    if (fixed < 0) {
      return Check.NOT_NDP;
    }
    if (ip.hopLimit() != HOP_LIMIT) {
      return Check.BAD_HOP_LIMIT;
    }
    if (icmp.code() != 0) {
      return Check.BAD_CODE;
    }
    if (icmp.length() < fixed) {
      return Check.TRUNCATED;
    }
    ByteBuf b = icmp.buffer();
    int at = icmp.start();
    if (!options.parse(b, at + fixed, at + icmp.length())) {
      return Check.BAD_OPTION_LENGTH;
    }
    boolean srcUnspecified = ip.srcHi() == 0 && ip.srcLo() == 0;
    switch (type) {
      case Icmpv6Packet.TYPE_ROUTER_SOLICITATION -> {
        if (srcUnspecified && options.sourceMac() >= 0) {
          return Check.BAD_UNSPECIFIED_SOURCE;
        }
      }
      case Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT -> {
        if (!ip.src().isLinkLocal()) {
          return Check.SOURCE_NOT_LINK_LOCAL;
        }
      }
      case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION -> {
        if (target(b, at).isMulticast()) {
          return Check.MULTICAST_TARGET;
        }
        if (srcUnspecified && (options.sourceMac() >= 0
            || !ip.dst().equals(target(b, at).solicitedNode()))) {
          return Check.BAD_UNSPECIFIED_SOURCE;
        }
      }
      case Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT -> {
        if (target(b, at).isMulticast()) {
          return Check.MULTICAST_TARGET;
        }
        if (ip.dst().isMulticast() && (b.getUnsignedByte(at + NA_FLAGS) & NA_SOLICITED) != 0) {
          return Check.SOLICITED_TO_MULTICAST;
        }
      }
      default -> { // redirect
        if (!ip.src().isLinkLocal()) {
          return Check.SOURCE_NOT_LINK_LOCAL;
        }
        if (Ipv6Address.read(b, at + REDIRECT_DESTINATION).isMulticast()) {
          return Check.MULTICAST_DESTINATION;
        }
      }
    }
    return Check.OK;
  }

  // ---- fields ----

  /** NS, NA, redirect: the target address. */
  public static Ipv6Address target(ByteBuf b, int icmpStart) {
    return Ipv6Address.read(b, icmpStart + TARGET);
  }

  /** Redirect: the destination the redirect is about. */
  public static Ipv6Address redirectDestination(ByteBuf b, int icmpStart) {
    return Ipv6Address.read(b, icmpStart + REDIRECT_DESTINATION);
  }

  /** NA: its R, S and O flags (as the {@code NA_*} bits). */
  public static int advertisementFlags(ByteBuf b, int icmpStart) {
    return b.getUnsignedByte(icmpStart + NA_FLAGS) & (NA_ROUTER | NA_SOLICITED | NA_OVERRIDE);
  }

  public static int raCurHopLimit(ByteBuf b, int icmpStart) {
    return b.getUnsignedByte(icmpStart + RA_CUR_HOP_LIMIT);
  }

  /** RA: its M and O flags (as the {@code RA_*} bits). */
  public static int raFlags(ByteBuf b, int icmpStart) {
    return b.getUnsignedByte(icmpStart + RA_FLAGS) & (RA_MANAGED | RA_OTHER);
  }

  /** RA: seconds this router may be a default router (0: it is not one). */
  public static int raRouterLifetime(ByteBuf b, int icmpStart) {
    return b.getUnsignedShort(icmpStart + RA_ROUTER_LIFETIME);
  }

  /** RA: milliseconds a neighbour is reachable after a confirmation (0: unspecified). */
  public static long raReachableTime(ByteBuf b, int icmpStart) {
    return b.getUnsignedInt(icmpStart + RA_REACHABLE_TIME);
  }

  /** RA: milliseconds between retransmitted solicitations (0: unspecified). */
  public static long raRetransTimer(ByteBuf b, int icmpStart) {
    return b.getUnsignedInt(icmpStart + RA_RETRANS_TIMER);
  }

  /**
   * The options of an NDP message, read in one pass without allocation: the source and target
   * link-layer addresses, the MTU, and where each prefix information option starts (up to
   * {@link #MAX_PREFIXES}; more are counted, not kept).
   */
  public static final class Options {
    public static final int MAX_PREFIXES = 8;
    private ByteBuf buf;
    private long sourceMac;
    private long targetMac;
    private long mtu;
    private final int[] prefixes = new int[MAX_PREFIXES];
    private int prefixCount;
    private int prefixesSeen;
    private int redirectedHeader;

    /**
     * Reads the options from {@code at} to {@code end}; false if one has length 0 or runs past the
     * end (the message must then be discarded, RFC 4861 4.6), or a prefix information or MTU
     * option has the wrong length.
     */
    public boolean parse(ByteBuf buf, int at, int end) {
      this.buf = buf;
      sourceMac = -1;
      targetMac = -1;
      mtu = -1;
      prefixCount = 0;
      prefixesSeen = 0;
      redirectedHeader = -1;
      while (at < end) {
        if (end - at < 2) {
          return false;
        }
        int type = buf.getUnsignedByte(at);
        int len = buf.getUnsignedByte(at + 1) * 8;
        if (len == 0 || end - at < len) {
          return false;
        }
        switch (type) {
          case OPT_SOURCE_LINK_ADDRESS, OPT_TARGET_LINK_ADDRESS -> {
            if (len < 8) {
              return false;
            }
            long mac = MacBits.read(buf, at + 2);
            if (type == OPT_SOURCE_LINK_ADDRESS) {
              sourceMac = mac;
            } else {
              targetMac = mac;
            }
          }
          case OPT_PREFIX_INFORMATION -> {
            if (len != 32) {
              return false;
            }
            if (prefixCount < MAX_PREFIXES) {
              prefixes[prefixCount++] = at;
            }
            prefixesSeen++;
          }
          case OPT_MTU -> {
            if (len != 8) {
              return false;
            }
            mtu = buf.getUnsignedInt(at + 4);
          }
          case OPT_REDIRECTED_HEADER -> redirectedHeader = at;
          default -> { } // unknown options are ignored (RFC 4861 4.6)
        }
        at += len;
      }
      return true;
    }

    /** The source link-layer address, or -1 if the option is absent. */
    public long sourceMac() {
      return sourceMac;
    }

    /** The target link-layer address, or -1 if absent. */
    public long targetMac() {
      return targetMac;
    }

    /** The MTU option's value, or -1 if absent. */
    public long mtu() {
      return mtu;
    }

    public int prefixCount() {
      return prefixCount;
    }

    /** Prefix information options in the message, kept or not. */
    public int prefixesSeen() {
      return prefixesSeen;
    }

    public int redirectedHeaderIndex() {
      return redirectedHeader;
    }

    /** Prefix information option {@code i}: the prefix with its length. */
    public Ipv6Cidr prefix(int i) {
      int at = prefixes[i];
      return new Ipv6Cidr(Ipv6Address.read(buf, at + 16), Math.min(128, buf.getUnsignedByte(at + 2)));
    }

    /** Prefix information option {@code i}: its L and A flags (as {@code PREFIX_*} bits). */
    public int prefixFlags(int i) {
      return buf.getUnsignedByte(prefixes[i] + 3) & (PREFIX_ON_LINK | PREFIX_AUTONOMOUS);
    }

    /** Prefix information option {@code i}: valid lifetime in seconds (0xffffffff: infinity). */
    public long validLifetime(int i) {
      return buf.getUnsignedInt(prefixes[i] + 4);
    }

    /** Prefix information option {@code i}: preferred lifetime in seconds. */
    public long preferredLifetime(int i) {
      return buf.getUnsignedInt(prefixes[i] + 8);
    }
  }

  /** 48-bit MACs read from a buffer as the low bits of a long. */
  private static final class MacBits {
    static long read(ByteBuf b, int at) {
      return ((long) b.getUnsignedShort(at) << 32) | b.getUnsignedInt(at + 2);
    }
  }

  // ---- building ----

  /** A prefix a router advertises (a prefix information option). */
  public record PrefixInfo(Ipv6Cidr prefix, boolean onLink, boolean autonomous, long validLifetime,
                           long preferredLifetime) {}

  /** An NDP message to send, as a value: {@link #length()} bytes of ICMPv6, checksum left 0. */
  public sealed interface Message permits RouterSolicitation, RouterAdvertisement, NeighborSolicitation,
      NeighborAdvertisement {
    int length();

    /** Writes the message (type, code, fields, options; checksum 0) at {@code at}. */
    void emit(ByteBuf b, int at);
  }

  /** RS; {@code sourceMac} -1 leaves the source link-layer option out (from the unspecified address). */
  public record RouterSolicitation(long sourceMac) implements Message {
    @Override
    public int length() {
      return 8 + (sourceMac >= 0 ? 8 : 0);
    }

    @Override
    public void emit(ByteBuf b, int at) {
      header(b, at, Icmpv6Packet.TYPE_ROUTER_SOLICITATION);
      b.setInt(at + 4, 0);
      linkOption(b, at + 8, OPT_SOURCE_LINK_ADDRESS, sourceMac);
    }
  }

  /** RA with its options: source link-layer address, MTU (0: none), prefixes. */
  public record RouterAdvertisement(int curHopLimit, int flags, int routerLifetime, long reachableTime,
                                    long retransTimer, long sourceMac, long mtu, List<PrefixInfo> prefixes)
      implements Message {
    @Override
    public int length() {
      return 16 + (sourceMac >= 0 ? 8 : 0) + (mtu > 0 ? 8 : 0) + 32 * prefixes.size();
    }

    @Override
    public void emit(ByteBuf b, int at) {
      header(b, at, Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT);
      b.setByte(at + RA_CUR_HOP_LIMIT, curHopLimit);
      b.setByte(at + RA_FLAGS, flags & (RA_MANAGED | RA_OTHER));
      b.setShort(at + RA_ROUTER_LIFETIME, routerLifetime);
      b.setInt(at + RA_REACHABLE_TIME, (int) reachableTime);
      b.setInt(at + RA_RETRANS_TIMER, (int) retransTimer);
      int o = at + 16 + linkOption(b, at + 16, OPT_SOURCE_LINK_ADDRESS, sourceMac);
      if (mtu > 0) {
        b.setByte(o, OPT_MTU);
        b.setByte(o + 1, 1);
        b.setShort(o + 2, 0);
        b.setInt(o + 4, (int) mtu);
        o += 8;
      }
      for (PrefixInfo p : prefixes) {
        b.setByte(o, OPT_PREFIX_INFORMATION);
        b.setByte(o + 1, 4);
        b.setByte(o + 2, p.prefix().prefixLength());
        b.setByte(o + 3, (p.onLink() ? PREFIX_ON_LINK : 0) | (p.autonomous() ? PREFIX_AUTONOMOUS : 0));
        b.setInt(o + 4, (int) p.validLifetime());
        b.setInt(o + 8, (int) p.preferredLifetime());
        b.setInt(o + 12, 0);
        p.prefix().network().write(b, o + 16);
        o += 32;
      }
    }
  }

  /** NS for {@code target}; {@code sourceMac} -1 leaves the option out (DAD, from the unspecified address). */
  public record NeighborSolicitation(Ipv6Address target, long sourceMac) implements Message {
    @Override
    public int length() {
      return 24 + (sourceMac >= 0 ? 8 : 0);
    }

    @Override
    public void emit(ByteBuf b, int at) {
      header(b, at, Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION);
      b.setInt(at + 4, 0);
      target.write(b, at + TARGET);
      linkOption(b, at + 24, OPT_SOURCE_LINK_ADDRESS, sourceMac);
    }
  }

  /** NA for {@code target} with the {@code NA_*} flags; {@code targetMac} -1 leaves the option out. */
  public record NeighborAdvertisement(int flags, Ipv6Address target, long targetMac) implements Message {
    @Override
    public int length() {
      return 24 + (targetMac >= 0 ? 8 : 0);
    }

    @Override
    public void emit(ByteBuf b, int at) {
      header(b, at, Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT);
      b.setInt(at + 4, (flags & (NA_ROUTER | NA_SOLICITED | NA_OVERRIDE)) << 24);
      target.write(b, at + TARGET);
      linkOption(b, at + 24, OPT_TARGET_LINK_ADDRESS, targetMac);
    }
  }

  private static void header(ByteBuf b, int at, int type) {
    b.setByte(at, type);
    b.setByte(at + 1, 0);
    b.setShort(at + 2, 0);
  }

  /** Writes a link-layer address option if {@code mac} is not -1; returns its length. */
  private static int linkOption(ByteBuf b, int at, int type, long mac) {
    if (mac < 0) {
      return 0;
    }
    b.setByte(at, type);
    b.setByte(at + 1, 1);
    b.setShort(at + 2, (int) (mac >>> 32));
    b.setInt(at + 4, (int) mac);
    return 8;
  }
}
