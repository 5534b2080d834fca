package emu.link.capture;

import emu.link.FrameReceiver;
import emu.link.LinkCounters;
import emu.link.LinkEndpoint;
import emu.link.time.TimeSource;
import io.netty.buffer.ByteBuf;

/**
 * Wraps a link endpoint and records every frame it sends and receives in a pcap file, like
 * tcpdump on an interface. The frames themselves pass through untouched.
 */
public final class CapturingEndpoint implements LinkEndpoint {
  private final LinkEndpoint inner;
  private final PcapWriter pcap;
  private final TimeSource time;
  private FrameReceiver receiver = ByteBuf::release;

  public CapturingEndpoint(LinkEndpoint inner, PcapWriter pcap, TimeSource time) {
    this.inner = inner;
    this.pcap = pcap;
    this.time = time;
    inner.receiver(frame -> {
      pcap.write(frame, time.epochNanos());
      receiver.onFrame(frame);
    });
  }

  public PcapWriter pcap() {
    return pcap;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public int mtu() {
    return inner.mtu();
  }

  @Override
  public void send(ByteBuf frame) {
    if (frame.readableBytes() <= LinkEndpoint.maxFrameLength(inner.mtu())) {
      pcap.write(frame, time.epochNanos());
    }
    inner.send(frame);
  }

  @Override
  public void receiver(FrameReceiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public LinkCounters counters() {
    return inner.counters();
  }

  @Override
  public void close() {
    inner.close();
    pcap.close();
  }
}
