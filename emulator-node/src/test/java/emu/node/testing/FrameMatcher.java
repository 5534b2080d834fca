package emu.node.testing;

import emu.link.wire.EthernetFrame;
import emu.link.wire.MacAddress;
import emu.node.wire.ArpPacket;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A declarative description of a frame, in the style of gVisor's checkers: "IPv4 with source X,
 * TTL n-1, header checksum valid, ICMP echo request". Each clause has a name and an expected
 * value, so a mismatch says exactly which field differed and what it held. Immutable: each
 * clause returns a new matcher, so a base matcher can be shared and refined.
 */
public final class FrameMatcher implements Predicate<CapturedFrame> {
  private record Clause(String name, Object expected, Function<CapturedFrame, Object> actual) {}

  private final List<Clause> clauses;

  private FrameMatcher(List<Clause> clauses) {
    this.clauses = clauses;
  }

  /** Matches every frame; refine with clauses. */
  public static FrameMatcher any() {
    return new FrameMatcher(List.of());
  }

  /** A well-formed IPv4 frame (EtherType 0x0800, header passes the length checks). */
  public static FrameMatcher ipv4() {
    return any().with("ethertype", EthernetFrame.ETHERTYPE_IPV4, CapturedFrame::etherType)
        .with("well-formed IPv4", true, CapturedFrame::isIpv4);
  }

  /** An ARP request that resolves someone (not a gratuitous announcement). */
  public static FrameMatcher arpRequest() {
    return any().with("ARP request", true, CapturedFrame::isArpRequest)
        .with("gratuitous", false, f -> f.arp().isGratuitous());
  }

  /** An ARP reply. */
  public static FrameMatcher arpReply() {
    return any().with("ARP reply", true, CapturedFrame::isArpReply);
  }

  /** A gratuitous ARP announcement (request whose sender and target IP are equal). */
  public static FrameMatcher arpAnnouncement() {
    return any().with("ARP request", true, CapturedFrame::isArpRequest)
        .with("gratuitous", true, f -> f.arp().isGratuitous());
  }

  /** Adds a clause: the value {@code actual} extracts must equal {@code expected}. */
  public FrameMatcher with(String name, Object expected, Function<CapturedFrame, Object> actual) {
    List<Clause> c = new ArrayList<>(clauses);
    c.add(new Clause(name, expected, actual));
    return new FrameMatcher(List.copyOf(c));
  }

  public FrameMatcher ethSrc(long mac) {
    return with("eth src", MacAddress.format(mac), f -> MacAddress.format(f.srcMac()));
  }

  public FrameMatcher ethDst(long mac) {
    return with("eth dst", MacAddress.format(mac), f -> MacAddress.format(f.dstMac()));
  }

  public FrameMatcher ethBroadcast() {
    return ethDst(MacAddress.BROADCAST_BITS);
  }

  public FrameMatcher src(String ip) {
    return with("ip src", ip, f -> Ipv4Address.format(f.ip().src()));
  }

  public FrameMatcher dst(String ip) {
    return with("ip dst", ip, f -> Ipv4Address.format(f.ip().dst()));
  }

  public FrameMatcher ttl(int ttl) {
    return with("ttl", ttl, f -> f.ip().ttl());
  }

  public FrameMatcher protocol(int protocol) {
    return with("ip protocol", protocol, f -> f.ip().protocol());
  }

  public FrameMatcher ident(int ident) {
    return with("ip ident", ident, f -> f.ip().ident());
  }

  /** The IPv4 header checksum verifies (RFC 1071). */
  public FrameMatcher checksumValid() {
    return with("ip header checksum valid", true, f -> f.ip().checksumValid());
  }

  public FrameMatcher totalLength(int len) {
    return with("ip total length", len, f -> f.ip().totalLength());
  }

  public FrameMatcher fragment(int offsetBytes, boolean moreFragments) {
    return with("fragment offset", offsetBytes, f -> f.ip().fragmentOffset())
        .with("MF", moreFragments, f -> f.ip().moreFragments());
  }

  /** ICMP of this type and code, with a valid ICMP checksum. */
  public FrameMatcher icmp(int type, int code) {
    return protocol(Ipv4Packet.PROTO_ICMP).with("icmp present", true, CapturedFrame::isIcmp)
        .with("icmp type", type, f -> f.icmp().type()).with("icmp code", code, f -> f.icmp().code())
        .with("icmp checksum valid", true, f -> f.icmp().checksumValid());
  }

  /** An ICMP error quoting a datagram from {@code src} to {@code dst}. */
  public FrameMatcher quoting(String src, String dst) {
    return with("quoted src", src, f -> Ipv4Address.format(f.icmp().quotedSrc()))
        .with("quoted dst", dst, f -> Ipv4Address.format(f.icmp().quotedDst()));
  }

  /** UDP between these ports, with a valid UDP checksum. */
  public FrameMatcher udp(int srcPort, int dstPort) {
    return protocol(Ipv4Packet.PROTO_UDP).with("udp present", true, CapturedFrame::isUdp)
        .with("udp src port", srcPort, f -> f.udp().srcPort()).with("udp dst port", dstPort, f -> f.udp().dstPort())
        .with("udp checksum valid", true, f -> f.udp().checksumValid());
  }

  public FrameMatcher udpDstPort(int dstPort) {
    return protocol(Ipv4Packet.PROTO_UDP).with("udp present", true, CapturedFrame::isUdp)
        .with("udp dst port", dstPort, f -> f.udp().dstPort());
  }

  public FrameMatcher arpTarget(String ip) {
    return with("arp target ip", ip, f -> Ipv4Address.format(f.arp().targetIp()));
  }

  public FrameMatcher arpSender(String ip, long mac) {
    return with("arp sender ip", ip, f -> Ipv4Address.format(f.arp().senderIp()))
        .with("arp sender mac", MacAddress.format(mac), f -> MacAddress.format(f.arp().senderMac()));
  }

  public FrameMatcher arpOperation(int op) {
    return with("arp operation", op == ArpPacket.OP_REQUEST ? "request" : "reply",
        f -> f.arp().operation() == ArpPacket.OP_REQUEST ? "request" : "reply");
  }

  /** The clauses that fail for {@code f}, each as "name: expected X but was Y"; empty if it matches. */
  public List<String> mismatches(CapturedFrame f) {
    List<String> out = new ArrayList<>();
    for (Clause c : clauses) {
      Object actual;
      try {
        actual = c.actual.apply(f);
      } catch (RuntimeException e) {
        // A clause about a layer the frame lacks (e.g. TTL of an ARP frame): a mismatch, not an error.
        actual = "<absent: " + e.getClass().getSimpleName() + ">";
      }
      if (!Objects.equals(c.expected, actual)) {
        out.add(c.name + ": expected " + c.expected + " but was " + actual);
      }
    }
    return out;
  }

  @Override
  public boolean test(CapturedFrame f) {
    return mismatches(f).isEmpty();
  }

  /** Throws an AssertionError naming every clause that failed. */
  public void assertMatches(CapturedFrame f) {
    List<String> m = mismatches(f);
    if (!m.isEmpty()) {
      throw new AssertionError("frame " + f + " does not match " + this + ":\n  " + String.join("\n  ", m));
    }
  }

  /** The frames that match, in order. */
  public List<CapturedFrame> select(List<CapturedFrame> frames) {
    return frames.stream().filter(this).toList();
  }

  /** Exactly one frame matches; returns it. */
  public CapturedFrame single(List<CapturedFrame> frames) {
    List<CapturedFrame> m = select(frames);
    if (m.size() != 1) {
      throw new AssertionError("expected exactly one frame matching " + this + " but found " + m.size()
          + " among:\n  " + String.join("\n  ", frames.stream().map(CapturedFrame::toString).toList()));
    }
    return m.get(0);
  }

  /** Every frame matches (and there is at least one). */
  public void assertAll(List<CapturedFrame> frames) {
    if (frames.isEmpty()) {
      throw new AssertionError("expected frames matching " + this + " but there were none");
    }
    frames.forEach(this::assertMatches);
  }

  /** No frame matches. */
  public void assertNone(List<CapturedFrame> frames) {
    List<CapturedFrame> m = select(frames);
    if (!m.isEmpty()) {
      throw new AssertionError("expected no frame matching " + this + " but found:\n  "
          + String.join("\n  ", m.stream().map(CapturedFrame::toString).toList()));
    }
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Clause c : clauses) {
      parts.add(c.name + "=" + c.expected);
    }
    return "{" + String.join(", ", parts) + "}";
  }
}
