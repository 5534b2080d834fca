package emu.link.tunnel;

/**
 * How a link endpoint's socket reads, chosen by what sends to it (Linux; elsewhere every mode
 * is one datagram per read).
 *
 * <p>An emu node sends runs of equal-sized frames as one UDP GSO send: a socket with UDP GRO
 * takes such a run in one read (one 64 KiB copy, one socket buffer entry), which is how TCP
 * between emu nodes reaches its speed. Everything else (a Linux VXLAN device, QEMU, a traffic
 * generator) sends separate datagrams, which GRO does not merge on loopback or a veth: there
 * {@code recvmmsg} takes up to 64 KiB of them, each in its own slot, per system call.
 *
 * <p>Measured (benchmarks/e2e, same machine, same hour): a router node fed separate datagrams
 * forwarded 60 k (64-byte frames) and 61 k (1500-byte frames) packets per CPU-second reading
 * with GRO, 128 k and 248 k with recvmmsg; TCP between emu nodes ran at 430-810 Mbit/s with GRO
 * and 90-170 Mbit/s with recvmmsg (the kernel splits every GSO run into one datagram each, which
 * costs its CPU and overflows the socket buffer). Hence one per link, not one for all.
 */
public enum ReceiveMode {
  /** The peer is an emu node: UDP GRO, one read per GSO run. */
  GRO,
  /** The peer sends separate datagrams: recvmmsg into 64 KiB of slots per call. */
  RECVMMSG,
  /** One datagram per read (for comparisons). */
  SINGLE;

  /** {@code -Demu.udp.rx=gro|recvmmsg|single} overrides every link's mode, for comparisons. */
  static ReceiveMode override() {
    String s = System.getProperty("emu.udp.rx");
    return s == null || s.isBlank() ? null : valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
  }
}
