package emu.link;

/**
 * What a link endpoint saw: frames and bytes each way, and drops by reason. Plain fields,
 * written only by the owning event loop (no atomics needed: one thread owns a node).
 */
public final class LinkCounters {
  public long rxFrames;
  public long rxBytes;
  public long txFrames;
  public long txBytes;
  /** Datagrams from an address other than the configured peer. */
  public long rxDropNotFromPeer;
  /** Received frames longer than the link MTU allows. */
  public long rxDropOversize;
  /** On a VXLAN link: datagrams without a valid VXLAN header for the link's VNI. */
  public long rxDropBadEncapsulation;
  /** Frames the node asked to send that were longer than the link MTU allows. */
  public long txDropOversize;
  /** Frames dropped because the socket's send queue was full. */
  public long txDropQueueFull;
  /** Frames the operating system refused to send. */
  public long txErrors;

  public long rxDrops() {
    return rxDropNotFromPeer + rxDropOversize + rxDropBadEncapsulation;
  }

  public long txDrops() {
    return txDropOversize + txDropQueueFull + txErrors;
  }
}
