package emu.node.event;

/**
 * One fact a node (or the control plane) reports as it works: a frame sent, a routing decision,
 * a neighbour state change, a TCP state change, a DNS answer, a TLS message... Records of values
 * only, never sentences: the control plane's renderer ({@code emu.control.narrative.Story}) writes
 * every word a person reads, and {@link EventCodec} is the one place that turns events into the
 * JSON lines of {@code events.jsonl} and back.
 *
 * <p>Sealed in two levels, so that nothing is forgotten without the compiler saying so: this
 * interface lists the families (one per protocol or part), each family lists its records, and
 * each level has a visitor with one method per member. A renderer implements the visitors; a
 * new family or record it does not handle is a compile error, as is a renamed field anywhere it
 * is read. (Java 17 has no exhaustive pattern switch; visitors give the same guarantee.) A new
 * protocol adds a family file here and its cases to the renderer.
 */
public sealed interface TraceEvent permits LinkEvent, IpEvent, Ipv6Event, ArpEvent, IcmpEvent, UdpEvent, TcpEvent,
    BridgeEvent, AppEvent, ControlEvent, TraceMeta, DnsEvent, TlsEvent, HttpsEvent, DhcpEvent,
    NatEvent, OspfEvent {

  <R> R accept(Visitor<R> v);

  /** The event's {@code type} in JSON, e.g. {@code arp.request}; what {@code jq 'select(.type==...)'} filters on. */
  default String type() {
    return EventCodec.typeOf(getClass());
  }

  /** One method per family; each family's own visitor then has one per record. */
  interface Visitor<R> {
    R link(LinkEvent e);

    R ip(IpEvent e);

    R ipv6(Ipv6Event e);

    R arp(ArpEvent e);

    R icmp(IcmpEvent e);

    R udp(UdpEvent e);

    R tcp(TcpEvent e);

    R bridge(BridgeEvent e);

    R app(AppEvent e);

    R control(ControlEvent e);

    R meta(TraceMeta e);

    R dns(DnsEvent e);

    R tls(TlsEvent e);

    R https(HttpsEvent e);

    R dhcp(DhcpEvent e);

    R nat(NatEvent e);

    R ospf(OspfEvent e);
  }
}
