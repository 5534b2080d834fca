package emu.link;

import io.netty.buffer.ByteBuf;

/**
 * An interface with no cable: declared in the topology but not linked. It never receives, and
 * what is sent to it is dropped and counted, like a NIC with NO-CARRIER.
 */
public final class DisconnectedEndpoint implements LinkEndpoint {
  private final String name;
  private final int mtu;
  private final LinkCounters counters = new LinkCounters();

  public DisconnectedEndpoint(String name, int mtu) {
    this.name = name;
    this.mtu = mtu;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int mtu() {
    return mtu;
  }

  @Override
  public void send(ByteBuf frame) {
    counters.txErrors++;
    frame.release();
  }

  @Override
  public void receiver(FrameReceiver receiver) {}

  @Override
  public LinkCounters counters() {
    return counters;
  }

  @Override
  public void close() {}
}
