package emu.node.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-copy view of a network-LSA's body (LS type 2, RFC 2328 A.4.3), originated by a broadcast
 * network's designated router; its Link State ID is the DR's interface address. Offsets are from
 * the start of the LSA:
 *
 * <pre>
 * 20 |                         Network Mask                          |
 * 24 |                        Attached Router                        |  one per router Full with the DR, and the DR
 * </pre>
 *
 * <p>Wrap only an LSA that {@link OspfLsa#check} accepted.
 */
public final class OspfNetworkLsa {
  public static final int NETWORK_MASK = 20;
  public static final int ATTACHED = 24;

  private ByteBuf buf;
  private int start;
  private int length;

  public OspfNetworkLsa wrap(ByteBuf buf, int start, int length) {
    this.buf = buf;
    this.start = start;
    this.length = length;
    return this;
  }

  public OspfNetworkLsa wrap(OspfLsa lsa) {
    return wrap(lsa.buffer(), lsa.start(), lsa.length());
  }

  public int networkMask() {
    return buf.getInt(start + NETWORK_MASK);
  }

  public int attachedCount() {
    return (length - ATTACHED) / 4;
  }

  /** The router ID of the {@code i}th attached router. */
  public int attached(int i) {
    return buf.getInt(start + ATTACHED + 4 * i);
  }

  /** A network-LSA's body as a value. */
  public record Repr(int networkMask, List<Integer> attachedRouters) implements OspfLsa.Body {
    public Repr {
      attachedRouters = List.copyOf(attachedRouters);
    }

    public static Repr parse(ByteBuf buf, int start, int length) {
      OspfNetworkLsa v = new OspfNetworkLsa().wrap(buf, start, length);
      List<Integer> attached = new ArrayList<>(v.attachedCount());
      for (int i = 0; i < v.attachedCount(); i++) {
        attached.add(v.attached(i));
      }
      return new Repr(v.networkMask(), attached);
    }

    @Override
    public int length() {
      return 4 + 4 * attachedRouters.size();
    }

    @Override
    public void emit(ByteBuf buf, int at) {
      buf.setInt(at, networkMask);
      for (int i = 0; i < attachedRouters.size(); i++) {
        buf.setInt(at + 4 + 4 * i, attachedRouters.get(i));
      }
    }
  }
}
