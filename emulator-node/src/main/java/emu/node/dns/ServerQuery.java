package emu.node.dns;

import emu.node.trace.ProseEvent;
import emu.node.wire.Ipv4Address;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One query a {@link DnsServer} is answering: the parsed query, the response being built (ID,
 * flags, question and EDNS already set), and the way back to the client. The role's
 * {@link QueryHandler} fills the response and calls {@link #send()}, at once or later.
 */
final class ServerQuery {
  /** The way back to the client: a UDP datagram or a framed TCP message. */
  interface Responder {
    void send(byte[] wire);

    boolean tcp();

    int clientIp();

    int clientPort();
  }

  final Message query;
  final Message response;
  final Responder responder;
  /** The largest UDP answer the client takes: 512, or its EDNS size capped by ours. */
  final int udpLimit;
  private final DnsServer server;
  private boolean sent;

  ServerQuery(DnsServer server, Message query, Message response, Responder responder, int udpLimit) {
    this.server = server;
    this.query = query;
    this.response = response;
    this.responder = responder;
    this.udpLimit = udpLimit;
  }

  Record question() {
    return query.getQuestion();
  }

  /** A trace event about this query, with its client, transport, ID and question as fields. */
  ProseEvent event(String type) {
    Record q = question();
    return new ProseEvent(type).put("client", Ipv4Address.format(responder.clientIp()))
        .put("port", responder.clientPort()).put("transport", responder.tcp() ? "tcp" : "udp")
        .put("id", query.getHeader().getID()).put("qname", DnsText.name(q.getName()))
        .put("qtype", Type.string(q.getType()));
  }

  /** Sends the response (truncated to {@link #udpLimit} over UDP); later calls do nothing. */
  void send() {
    if (!sent) {
      sent = true;
      server.send(this);
    }
  }
}
