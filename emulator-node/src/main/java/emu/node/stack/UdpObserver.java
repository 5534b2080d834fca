package emu.node.stack;

/** What UDP reports as it works, for tracing. Callers ask {@link #enabled()} first. */
public interface UdpObserver {
  boolean enabled();

  /** A datagram from {@code src:srcPort} handed to the socket on {@code dstPort}. */
  void delivered(int src, int srcPort, int dstPort, int bytes);
}
