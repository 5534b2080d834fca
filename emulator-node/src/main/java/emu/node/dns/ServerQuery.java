package emu.node.dns;

import emu.node.event.DnsEvent;
import emu.node.wire.IpAddress;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;

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

    /** The client's address, of either family. */
    IpAddress client();

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

  // For events: who asked, how, and what.

  String client() {
    return responder.client().toString();
  }

  int port() {
    return responder.clientPort();
  }

  DnsEvent.Transport transport() {
    return responder.tcp() ? DnsEvent.Transport.TCP : DnsEvent.Transport.UDP;
  }

  int id() {
    return query.getHeader().getID();
  }

  String qname() {
    return DnsFacts.name(question().getName());
  }

  String qtype() {
    return DnsFacts.type(question().getType());
  }

  /** Sends the response (truncated to {@link #udpLimit} over UDP); later calls do nothing. */
  void send() {
    if (!sent) {
      sent = true;
      server.send(this);
    }
  }
}
