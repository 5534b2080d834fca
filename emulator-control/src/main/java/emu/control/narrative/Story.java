package emu.control.narrative;

import emu.node.event.AppEvent;
import emu.node.event.ArpEvent;
import emu.node.event.BridgeEvent;
import emu.node.event.ControlEvent;
import emu.node.event.DhcpEvent;
import emu.node.event.DnsEvent;
import emu.node.event.HttpsEvent;
import emu.node.event.IcmpEvent;
import emu.node.event.IpEvent;
import emu.node.event.Ipv6Event;
import emu.node.event.LinkEvent;
import emu.node.event.NatEvent;
import emu.node.event.OspfEvent;
import emu.node.event.Packet;
import emu.node.event.TcpEvent;
import emu.node.event.TlsEvent;
import emu.node.event.TraceEvent;
import emu.node.event.TraceMeta;
import emu.node.event.UdpEvent;

/**
 * The one renderer: every word a person reads about what happened (the narrative's lines, the
 * ladder diagram's labels and tooltips, the report) is written here, from the typed facts nodes
 * report. Nodes never write sentences; a new event type that is not rendered here does not
 * compile (the event visitors have a method per record).
 *
 * <p>Sentences are in the present tense with the node as subject ("routes 192.168.5.100: ..."),
 * and say why as well as what where a reader new to networks needs it.
 */
public final class Story implements TraceEvent.Visitor<String> {
  private static final Story INSTANCE = new Story();
  private final StackStory stack = new StackStory();
  private final ControlStory control = new ControlStory();
  private final Ipv6Story ipv6 = new Ipv6Story();
  private final DnsStory dns = new DnsStory();
  private final TlsStory tls = new TlsStory();
  private final HttpsStory https = new HttpsStory();
  private final DhcpStory dhcp = new DhcpStory();
  private final NatStory nat = new NatStory();
  private final OspfStory ospf = new OspfStory();

  private Story() {}

  /**
   * The narrative's sentence for {@code e}. An event read from a file may lack fields a sentence
   * needs (a line written by hand, or by another version): it is then told as its type and facts,
   * never by failing the narrative.
   */
  public static String sentence(TraceEvent e) {
    try {
      return e.accept(INSTANCE);
    } catch (RuntimeException incomplete) {
      return e.type() + " (incomplete event, told as its facts: " + e + ")";
    }
  }

  /** A packet as tcpdump summarises it. */
  public static String packet(Packet p) {
    return PacketText.ipv4(p);
  }

  /** The ladder's label for the frame that carries a forwarded packet. */
  public static String forwardLabel(IpEvent.Forwarded f, Packet p) {
    return "forwards " + PacketText.ipv4(p) + "; TTL " + f.ttlBefore() + " -> " + f.ttlAfter();
  }

  /** What the ladder adds to a label when a frame carried several narrated steps. */
  public static String moreInFrame(int more) {
    return "(+" + more + " more in this frame)";
  }

  @Override
  public String link(LinkEvent e) {
    return e.accept(stack);
  }

  @Override
  public String ip(IpEvent e) {
    return e.accept(stack);
  }

  @Override
  public String ipv6(Ipv6Event e) {
    return e.accept(ipv6);
  }

  @Override
  public String arp(ArpEvent e) {
    return e.accept(stack);
  }

  @Override
  public String icmp(IcmpEvent e) {
    return e.accept(stack);
  }

  @Override
  public String udp(UdpEvent e) {
    return e.accept(stack);
  }

  @Override
  public String tcp(TcpEvent e) {
    return e.accept(stack);
  }

  @Override
  public String bridge(BridgeEvent e) {
    return e.accept(stack);
  }

  @Override
  public String app(AppEvent e) {
    return e.accept(control);
  }

  @Override
  public String control(ControlEvent e) {
    return e.accept(control);
  }

  @Override
  public String meta(TraceMeta e) {
    return e.accept(control);
  }

  @Override
  public String dns(DnsEvent e) {
    return e.accept(dns);
  }

  @Override
  public String tls(TlsEvent e) {
    return e.accept(tls);
  }

  @Override
  public String https(HttpsEvent e) {
    return e.accept(https);
  }

  @Override
  public String dhcp(DhcpEvent e) {
    return e.accept(dhcp);
  }

  @Override
  public String nat(NatEvent e) {
    return e.accept(nat);
  }

  @Override
  public String ospf(OspfEvent e) {
    return e.accept(ospf);
  }
}
