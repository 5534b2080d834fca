package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-copy view of a router-LSA's body (LS type 1, RFC 2328 A.4.2); offsets are from the start
 * of the LSA, the body following its 20-byte header:
 *
 * <pre>
 * 20 |    0    |V|E|B|        0      |            # links            |
 * 24 |                          Link ID                              |  per link
 *    |                         Link Data                             |
 *    |     Type      |     # TOS     |            metric             |
 *    |      TOS      |        0      |          TOS  metric          |  # TOS times
 * </pre>
 *
 * <p>Links are not of one size (each carries # TOS extra metrics, which RFC 2328 keeps only for
 * compatibility and emu never sends), so they are read through a cursor: {@link #firstLink}
 * gives the index of the first, {@link #nextLink} the one after, and the per-link accessors take
 * that index. No allocation. Wrap only an LSA that {@link OspfLsa#check} accepted: the links then
 * frame exactly.
 */
public final class OspfRouterLsa {
  public static final int FLAGS = 20;
  public static final int LINK_COUNT = 22;
  public static final int LINKS = 24;
  /** A link without TOS metrics. */
  public static final int LINK_LEN = 12;
  public static final int TOS_LEN = 4;
  /** Offsets within a link. */
  public static final int LINK_ID = 0;
  public static final int LINK_DATA = 4;
  public static final int LINK_TYPE = 8;
  public static final int LINK_TOS_COUNT = 9;
  public static final int LINK_METRIC = 10;

  /** Flag bits: B, an area border router; E, an AS boundary router; V, a virtual link endpoint. */
  public static final int FLAG_B = 0x01;
  public static final int FLAG_E = 0x02;
  public static final int FLAG_V = 0x04;

  /** Link types (RFC 2328 A.4.2): Link ID is the neighbour's router ID. */
  public static final int LINK_POINT_TO_POINT = 1;
  /** Link ID is the DR's interface address; Link Data this router's interface address. */
  public static final int LINK_TRANSIT = 2;
  /** Link ID is the network number; Link Data the network's mask. */
  public static final int LINK_STUB = 3;
  public static final int LINK_VIRTUAL = 4;

  private ByteBuf buf;
  private int start;
  private int length;

  /** Views the router-LSA at {@code start}, {@code length} bytes long (its length field). */
  public OspfRouterLsa wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  public OspfRouterLsa wrap(OspfLsa lsa) {
    return wrap(lsa.buffer(), lsa.start(), lsa.length());
  }

  /**
   * True if a router-LSA of {@code length} bytes at {@code start} has its flags and count and
   * exactly that many links, each with its TOS metrics, ending at its length.
   */
  static boolean frames(ByteBuf buf, int start, int length) {
    if (length < LINKS) {
      return false;
    }
    int count = buf.getUnsignedShort(start + LINK_COUNT);
    int at = start + LINKS;
    int end = start + length;
    for (int i = 0; i < count; i++) {
      if (end - at < LINK_LEN) {
        return false;
      }
      at += LINK_LEN + TOS_LEN * buf.getUnsignedByte(at + LINK_TOS_COUNT);
      if (at > end) {
        return false;
      }
    }
    return at == end;
  }

  public int flags() {
    return buf.getUnsignedByte(start + FLAGS);
  }

  public int linkCount() {
    return buf.getUnsignedShort(start + LINK_COUNT);
  }

  /** Index in the buffer of the first link (meaningful only if {@link #linkCount} is not zero). */
  public int firstLink() {
    return start + LINKS;
  }

  /** Index of the link after the one at {@code link}. */
  public int nextLink(int link) {
    return link + LINK_LEN + TOS_LEN * tosCount(link);
  }

  public int linkId(int link) {
    return buf.getInt(link + LINK_ID);
  }

  public int linkData(int link) {
    return buf.getInt(link + LINK_DATA);
  }

  public int linkType(int link) {
    return buf.getUnsignedByte(link + LINK_TYPE);
  }

  public int tosCount(int link) {
    return buf.getUnsignedByte(link + LINK_TOS_COUNT);
  }

  /** The TOS 0 metric: the cost of the link. */
  public int metric(int link) {
    return buf.getUnsignedShort(link + LINK_METRIC);
  }

  /** One link of a router-LSA as a value (TOS 0 only: emu writes no TOS metrics and reads past them). */
  public record Link(int linkId, int linkData, int type, int metric) {}

  /** A router-LSA's body as a value. */
  public record Repr(int flags, List<Link> links) implements OspfLsa.Body {
    public Repr {
      links = List.copyOf(links);
    }

    /** Parses the body of a checked router-LSA at {@code start}; TOS metrics beyond TOS 0 are skipped. */
    public static Repr parse(ByteBuf buf, int start) {
      OspfRouterLsa v = new OspfRouterLsa().wrap(buf, start, buf.getUnsignedShort(start + OspfLsa.LENGTH));
      List<Link> links = new ArrayList<>(v.linkCount());
      for (int i = 0, at = v.firstLink(); i < v.linkCount(); i++, at = v.nextLink(at)) {
        links.add(new Link(v.linkId(at), v.linkData(at), v.linkType(at), v.metric(at)));
      }
      return new Repr(v.flags(), links);
    }

    @Override
    public int length() {
      return LINKS - OspfLsa.HEADER_LEN + LINK_LEN * links.size();
    }

    @Override
    public void emit(ByteBuf buf, int at) {
      buf.setByte(at, flags);
      buf.setByte(at + 1, 0);
      buf.setShort(at + 2, links.size());
      int i = at + 4;
      for (Link l : links) {
        buf.setInt(i + LINK_ID, l.linkId());
        buf.setInt(i + LINK_DATA, l.linkData());
        buf.setByte(i + LINK_TYPE, l.type());
        buf.setByte(i + LINK_TOS_COUNT, 0);
        buf.setShort(i + LINK_METRIC, l.metric());
        i += LINK_LEN;
      }
    }
  }
}
