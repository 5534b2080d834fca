package emu.node.stack;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.wire.VlanTag;
import io.netty.buffer.ByteBuf;

/**
 * The link end of a VLAN subinterface ({@code eth0.10}): what it sends leaves through its
 * parent's endpoint with an 802.1Q tag for its VLAN pushed in (PCP 0, as Linux's VLAN device
 * with no egress QoS map), and what the parent's {@link VlanDemux} hands it arrives with that tag
 * stripped. The stack above sees an ordinary untagged interface, which is why ARP, IPv6 neighbour
 * discovery, DHCP, OSPF and forwarding need no change for subinterfaces: each is a {@link Nic}
 * like any other, with this endpoint under it.
 *
 * <p>Counters are the subinterface's own (Linux keeps separate ones for {@code eth0.10}): frames and
 * bytes as they are on the wire, tag included; the parent interface's count them too. The MTU is
 * the parent's, since a link carries the tag on top of its MTU ({@link LinkEndpoint#maxFrameLength}),
 * as on Linux.
 */
public final class VlanEndpoint implements LinkEndpoint {
  private final String name;
  private final LinkEndpoint parent;
  /** The parent interface, whose counters take this one's frames too. */
  private final Nic parentNic;
  private final int vid;
  private final int tci;
  private final LinkCounters counters = new LinkCounters();
  private FrameReceiver receiver = ByteBuf::release;

  VlanEndpoint(String name, Nic parentNic, int vid) {
    if (!VlanTag.isValidVid(vid)) {
      throw new IllegalArgumentException("VLAN " + vid + " of " + name + " is outside 1..4094");
    }
    this.name = name;
    this.parent = parentNic.endpoint();
    this.parentNic = parentNic;
    this.vid = vid;
    this.tci = VlanTag.tci(0, false, vid);
  }

  /** The VLAN this end tags with and takes. */
  public int vid() {
    return vid;
  }

  /** The parent interface's endpoint, which carries this one's frames. */
  public LinkEndpoint parent() {
    return parent;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int mtu() {
    return parent.mtu();
  }

  /**
   * Pushes the tag (in place when the frame has headroom, as the stack's own frames do) and sends,
   * counted here and on the parent interface: Linux counts a VLAN's frames on the real device in
   * both directions, as the {@link VlanDemux} does on the way in.
   */
  @Override
  public void send(ByteBuf frame) {
    ByteBuf tagged = VlanTag.push(frame, tci);
    int len = tagged.readableBytes();
    counters.txFrames++;
    counters.txBytes += len;
    parentNic.txFrames++;
    parentNic.txBytes += len;
    parent.send(tagged);
  }

  /** A tagged frame of this VLAN from the demultiplexer: counted, stripped, handed up. */
  void deliver(ByteBuf frame) {
    counters.rxFrames++;
    counters.rxBytes += frame.readableBytes();
    receiver.onFrame(VlanDemux.untag(frame));
  }

  @Override
  public void receiver(FrameReceiver r) {
    this.receiver = r;
  }

  @Override
  public LinkCounters counters() {
    return counters;
  }

  /** Nothing of its own to close: the parent's endpoint owns the socket. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return name + " (VLAN " + vid + " on " + parent.name() + ")";
  }
}
