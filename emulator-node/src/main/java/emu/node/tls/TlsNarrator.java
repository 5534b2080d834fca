package emu.node.tls;

import emu.node.tls.TlsHandshakeMessages.ClientHello;
import emu.node.tls.TlsHandshakeMessages.Malformed;
import emu.node.tls.TlsHandshakeMessages.ServerHello;
import emu.node.tls.TlsHandshakeMessages.ServerKeyExchange;
import emu.node.trace.ProseEvent;
import emu.node.trace.Tracer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLSession;

/**
 * Tells the story of a TLS connection from the bytes on the wire. It sits BELOW the
 * {@link SslHandler} (between the transport and it), reads every record going each way
 * without changing a byte, and emits trace events carrying the real values: the versions,
 * cipher suites, SNI and key shares of the ClientHello, the server's choices, the certificate
 * chain (plaintext in TLS 1.2; encrypted in TLS 1.3, so then reported from the endpoint's own
 * view once the handshake is over), the RSA-encrypted premaster secret of TLS 1.2 RSA key
 * transport, ChangeCipherSpec, Finished, alerts, and the lengths of the encrypted records.
 *
 * <p>Event types: {@code tls.client_hello}, {@code tls.server_hello},
 * {@code tls.hello_retry_request}, {@code tls.certificate}, {@code tls.server_key_exchange},
 * {@code tls.certificate_request}, {@code tls.server_hello_done}, {@code tls.key_exchange},
 * {@code tls.change_cipher_spec}, {@code tls.finished}, {@code tls.encrypted_handshake},
 * {@code tls.new_session_ticket}, {@code tls.handshake}, {@code tls.alert},
 * {@code tls.application_data}, {@code tls.handshake_done}, {@code tls.handshake_failed},
 * {@code tls.malformed}, {@code tls.summary}. Each carries {@code side} (client/server),
 * {@code dir} (sent/received), {@code peer} and {@code bytes} (of the record, or of the handshake message) where they apply.
 *
 * <p>Bytes that are not TLS (a plain-text client, garbage) are counted and reported once;
 * the narrator then stops parsing that direction and passes everything through. It never
 * throws because of what it reads.
 *
 * <p>While the handshake runs, a buffer holding several inbound records is handed to the
 * SslHandler one record at a time (retained slices of it), so that each record is labelled
 * knowing whether the records before it completed the handshake; afterwards buffers pass as
 * they came. One instance per channel; all calls on the channel's event loop.
 */
public final class TlsNarrator extends ChannelDuplexHandler {
  /** Which end of the connection this pipeline is. */
  public enum Side {
    CLIENT, SERVER;

    String word() {
      return this == CLIENT ? "client" : "server";
    }

    Side other() {
      return this == CLIENT ? SERVER : CLIENT;
    }
  }

  /** Application-data records narrated one by one per direction; the rest go into tls.summary. */
  static final int APP_EVENTS_PER_DIRECTION = 8;
  static final int MAX_HANDSHAKE_MESSAGE = 1 << 17;

  private final Tracer tracer;
  private final Side side;
  private final Flow in = new Flow(false);
  private final Flow out = new Flow(true);
  private ChannelHandlerContext ctx;
  private SslHandler ssl;
  private boolean tls13;
  private int version;
  private String suite;
  private long malformed;
  private boolean summarized;
  /**
   * TLS 1.3 encrypted records the client sent during the handshake, described once it is known
   * how the handshake went: the client's Finished if it succeeded, an (encrypted) alert if not.
   */
  private final List<Pending> pending = new ArrayList<>();

  private record Pending(Flow flow, int length) {}

  public TlsNarrator(Tracer tracer, Side side) {
    this.tracer = tracer == null ? Tracer.OFF : tracer;
    this.side = side;
  }

  // ---- counters ----

  /** Directions given up as not TLS (0, 1 or 2). */
  public long malformed() {
    return malformed;
  }

  public long recordsSent() {
    return out.records;
  }

  public long recordsReceived() {
    return in.records;
  }

  public long applicationRecordsSent() {
    return out.appRecords;
  }

  public long applicationRecordsReceived() {
    return in.appRecords;
  }

  /** The version the ServerHello chose ("TLS 1.3"), or null before it. */
  public String negotiatedVersion() {
    return version == 0 ? null : TlsNames.version(version);
  }

  /** The cipher suite the ServerHello chose, or null before it. */
  public String negotiatedCipherSuite() {
    return suite;
  }

  // ---- pipeline ----

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    findSsl();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    findSsl();
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    flushPending(ssl != null && ssl.handshakeFuture().isDone() && !ssl.handshakeFuture().isSuccess() ? false : null);
    summarize();
    ctx.fireChannelInactive();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b && !out.reader.stopped()) {
      findSsl();
      out.reader.feed(b, b.readerIndex(), b.writerIndex(), false);
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf) || in.reader.stopped()) {
      ctx.fireChannelRead(msg);
      return;
    }
    findSsl();
    int from = buf.readerIndex();
    int end = buf.writerIndex();
    boolean handshaking = ssl != null && !ssl.handshakeFuture().isDone();
    int n = in.reader.feed(buf, from, end, handshaking);
    if (from + n >= end) {
      ctx.fireChannelRead(msg);
      flushPending(null);
      return;
    }
    try {
      for (;;) {
        ctx.fireChannelRead(buf.retainedSlice(from, n));
        flushPending(null);
        from += n;
        if (from >= end) {
          return;
        }
        Future<?> hs = ssl.handshakeFuture();
        if (hs.isDone() && !hs.isSuccess()) {
          return; // the handshake failed: the rest would only be refused again
        }
        n = in.reader.feed(buf, from, end, !hs.isDone());
      }
    } finally {
      buf.release();
    }
  }

  private void findSsl() {
    if (ssl != null || ctx == null) {
      return;
    }
    ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl != null) {
      ssl.handshakeFuture().addListener(f -> handshakeEnded(f));
    }
  }

  // ---- one direction ----

  /** The state of one direction: its record reader and the handshake bytes not yet parsed. */
  private final class Flow implements TlsRecordReader.Listener {
    final boolean outbound;
    final TlsRecordReader reader = new TlsRecordReader(this);
    /** TLS 1.2: a ChangeCipherSpec went this way, so what follows is encrypted. */
    boolean changedCipher;
    byte[] hs = new byte[0];
    int hsLen;
    long records;
    long appRecords;
    long appBytes;
    int encryptedHandshakeRecords;

    Flow(boolean outbound) {
      this.outbound = outbound;
    }

    boolean encrypted() {
      return tls13 || changedCipher;
    }

    @Override
    public boolean wantsBody(int type) {
      return switch (type) {
        case TlsRecordReader.CHANGE_CIPHER_SPEC -> true;
        case TlsRecordReader.ALERT, TlsRecordReader.HANDSHAKE -> !encrypted();
        default -> false;
      };
    }

    @Override
    public void record(int type, int recordVersion, int length, byte[] body) {
      records++;
      try {
        switch (type) {
          case TlsRecordReader.CHANGE_CIPHER_SPEC -> changeCipherSpec(this, length);
          case TlsRecordReader.ALERT -> alert(this, length, body);
          case TlsRecordReader.HANDSHAKE -> {
            if (body == null) {
              encryptedHandshake(this, length);
            } else {
              handshakeBytes(body);
            }
          }
          case TlsRecordReader.APPLICATION_DATA -> applicationData(this, length);
          default -> emit("tls.record", this, length, "heartbeat record, " + length + " bytes");
        }
      } catch (Malformed e) {
        reader.stop();
        malformed(e.getMessage());
      } catch (RuntimeException e) {
        // a bug here must not take the connection down: report it and stop following this way
        reader.stop();
        malformed("cannot follow the stream: " + e);
      }
    }

    private void handshakeBytes(byte[] body) throws Malformed {
      if (hs.length < hsLen + body.length) {
        hs = Arrays.copyOf(hs, Math.max(hsLen + body.length, 2 * hs.length));
      }
      System.arraycopy(body, 0, hs, hsLen, body.length);
      hsLen += body.length;
      int at = 0;
      while (hsLen - at >= 4) {
        int msgType = hs[at] & 0xFF;
        int len = ((hs[at + 1] & 0xFF) << 16) | ((hs[at + 2] & 0xFF) << 8) | (hs[at + 3] & 0xFF);
        if (len > MAX_HANDSHAKE_MESSAGE) {
          throw new Malformed("handshake message of " + len + " bytes is beyond what the narrator follows");
        }
        if (hsLen - at - 4 < len) {
          break; // the rest comes in the next record
        }
        try {
          handshakeMessage(this, msgType, hs, at + 4, len);
        } catch (Malformed e) {
          throw new Malformed("a " + TlsNames.handshakeType(msgType) + " that does not parse (" + e.getMessage() + ")");
        }
        at += 4 + len;
        if (reader.stopped()) {
          return;
        }
      }
      System.arraycopy(hs, at, hs, 0, hsLen - at);
      hsLen -= at;
    }

    @Override
    public void malformed(String why) {
      malformed++;
      hs = new byte[0];
      hsLen = 0;
      if (tracer.enabled()) {
        tracer.emit(event("tls.malformed", this, -1).put("reason", why)
            .msg((outbound ? "sends" : "receives") + " something that is not valid TLS: " + why
                + "; stops following the " + (outbound ? "outgoing" : "incoming") + " stream"));
      }
    }
  }

  // ---- records ----

  private void changeCipherSpec(Flow f, int length) {
    if (tls13) {
      emit("tls.change_cipher_spec", f, length, "ChangeCipherSpec (" + length + " byte): a dummy in TLS 1.3, sent only "
          + "so that middleboxes see a familiar shape (RFC 8446 appendix D.4); it changes nothing");
      return;
    }
    f.changedCipher = true;
    String who = (f.outbound ? side : side.other()).word();
    emit("tls.change_cipher_spec", f, length, "ChangeCipherSpec: from the next record on, the " + who
        + " encrypts with the new session keys");
  }

  private void alert(Flow f, int length, byte[] body) {
    if (body == null || body.length != 2) {
      emit("tls.alert", f, length, "an encrypted alert (" + length + " bytes; after the handshake it is normally "
          + "close_notify, the polite end of the connection)");
      return;
    }
    int level = body[0] & 0xFF;
    int desc = body[1] & 0xFF;
    if (!tracer.enabled()) {
      return;
    }
    tracer.emit(event("tls.alert", f, length).put("level", TlsNames.alertLevel(level))
        .put("description", TlsNames.alert(desc))
        .msg(verb(f) + " a " + TlsNames.alertLevel(level) + " alert: " + TlsNames.alert(desc)
            + " (in the clear" + (level == 2 ? "; the connection ends" : "") + ")"));
  }

  private void encryptedHandshake(Flow f, int length) {
    // TLS 1.2: a handshake record after ChangeCipherSpec, i.e. Finished
    f.encryptedHandshakeRecords++;
    emit("tls.finished", f, length, "Finished (encrypted, " + length + " bytes): a MAC over the whole handshake "
        + "under the new keys; it proves both sides derived the same keys and saw the same messages");
  }

  private void applicationData(Flow f, int length) {
    boolean handshakeOver = ssl == null || ssl.handshakeFuture().isDone();
    if (tls13 && handshakeOver && ssl != null && !ssl.handshakeFuture().isSuccess()) {
      String who = (f.outbound ? side : side.other()).word();
      emit("tls.alert", f, length, "an encrypted alert (" + length + " bytes): the " + who + " refuses the handshake; "
          + "in TLS 1.3 even the alert is encrypted, so only the endpoints know which one it is");
      return;
    }
    if (tls13 && !handshakeOver) {
      f.encryptedHandshakeRecords++;
      encryptedHandshake13(f, length);
      return;
    }
    f.appRecords++;
    f.appBytes += length;
    if (f.appRecords > APP_EVENTS_PER_DIRECTION || !tracer.enabled()) {
      return;
    }
    String more = tls13 ? " (TLS 1.3 hides the true content type inside the encryption)" : "";
    tracer.emit(event("tls.application_data", f, length)
        .msg(verb(f) + " an application data record: " + length + " bytes, encrypted; only its length is "
            + "visible on the wire" + more + (f.appRecords == APP_EVENTS_PER_DIRECTION
            ? ". Further records this way are counted, not narrated" : "")));
  }

  private void encryptedHandshake13(Flow f, int length) {
    Side sender = f.outbound ? side : side.other();
    if (sender == Side.CLIENT) {
      pending.add(new Pending(f, length)); // its Finished, or an alert: known when the handshake ends
      return;
    }
    emit("tls.encrypted_handshake", f, length, f.encryptedHandshakeRecords == 1
        ? "an encrypted handshake record (" + length + " bytes): in TLS 1.3 the server's EncryptedExtensions, "
            + "Certificate, CertificateVerify and Finished travel encrypted under keys from the key exchange, "
            + "so an observer on the wire cannot see the certificate"
        : "another encrypted handshake record from the server (" + length + " bytes)");
  }

  /**
   * Describes the client's pending TLS 1.3 encrypted records: {@code succeeded} true (its
   * Finished), false (an alert refusing the handshake) or null (the handshake still runs).
   */
  private void flushPending(Boolean succeeded) {
    if (pending.isEmpty()) {
      return;
    }
    if (succeeded == null && ssl != null && ssl.handshakeFuture().isDone()) {
      succeeded = ssl.handshakeFuture().isSuccess();
    }
    List<Pending> todo = new ArrayList<>(pending);
    pending.clear();
    for (Pending p : todo) {
      if (Boolean.TRUE.equals(succeeded)) {
        emit("tls.finished", p.flow(), p.length(), "the client's Finished (encrypted, " + p.length() + " bytes): a "
            + "MAC over the whole handshake, proving the client derived the same keys and saw the same messages");
      } else if (Boolean.FALSE.equals(succeeded)) {
        emit("tls.alert", p.flow(), p.length(), "an encrypted alert (" + p.length() + " bytes): the client refuses the "
            + "handshake; in TLS 1.3 even the alert is encrypted, so only the endpoints know which one it is");
      } else {
        emit("tls.encrypted_handshake", p.flow(), p.length(), "an encrypted handshake record from the client ("
            + p.length() + " bytes)");
      }
    }
  }

  // ---- handshake messages (plaintext) ----

  private void handshakeMessage(Flow f, int type, byte[] b, int off, int len) throws Malformed {
    switch (type) {
      case TlsHandshakeMessages.CLIENT_HELLO -> clientHello(f, TlsHandshakeMessages.clientHello(b, off, len), len);
      case TlsHandshakeMessages.SERVER_HELLO -> serverHello(f, TlsHandshakeMessages.serverHello(b, off, len), len);
      case TlsHandshakeMessages.CERTIFICATE -> certificate12(f, TlsHandshakeMessages.certificates12(b, off, len), len);
      case TlsHandshakeMessages.SERVER_KEY_EXCHANGE -> serverKeyExchange(f, b, off, len);
      case TlsHandshakeMessages.CLIENT_KEY_EXCHANGE -> clientKeyExchange(f, b, off, len);
      case TlsHandshakeMessages.SERVER_HELLO_DONE -> emit("tls.server_hello_done", f, len,
          "ServerHelloDone: the server has said everything; the client now checks the certificate and answers");
      case TlsHandshakeMessages.CERTIFICATE_REQUEST -> emit("tls.certificate_request", f, len,
          "CertificateRequest: the server asks the client for a certificate of its own");
      case TlsHandshakeMessages.NEW_SESSION_TICKET -> emit("tls.new_session_ticket", f, len,
          "NewSessionTicket (" + len + " bytes): a ticket to resume this session later without a full handshake");
      default -> emit("tls.handshake", f, len, TlsNames.handshakeType(type) + " (" + len + " bytes)");
    }
  }

  private void clientHello(Flow f, ClientHello h, int len) {
    if (tracer.enabled()) {
      tracer.emit(HandshakeStory.clientHello(event("tls.client_hello", f, len), verb(f), h, len));
    }
  }

  private void serverHello(Flow f, ServerHello h, int len) {
    if (h.helloRetryRequest()) {
      emit("tls.hello_retry_request", f, len, "HelloRetryRequest: the server wants a key share for "
          + (h.keyShareGroup() >= 0 ? TlsNames.group(h.keyShareGroup()) : "another group")
          + "; the client sends a second ClientHello");
      return;
    }
    version = h.version();
    suite = TlsNames.cipherSuite(h.cipherSuite());
    tls13 = version == 0x0304;
    if (tracer.enabled()) {
      tracer.emit(HandshakeStory.serverHello(event("tls.server_hello", f, len), verb(f), h, len));
      if (tls13) {
        tracer.emit(HandshakeStory.keyAgreement13(event("tls.key_exchange", f, -1), h.keyShareGroup()));
      }
    }
  }

  private void certificate12(Flow f, List<byte[]> ders, int len) {
    if (tracer.enabled()) {
      tracer.emit(HandshakeStory.certificate12(event("tls.certificate", f, len), verb(f), ders, len));
    }
  }

  private void serverKeyExchange(Flow f, byte[] b, int off, int len) throws Malformed {
    String kx = TlsNames.keyExchange(suite);
    if (!"ECDHE".equals(kx) && !"DHE".equals(kx)) {
      emit("tls.server_key_exchange", f, len, "ServerKeyExchange (" + len + " bytes)");
      return;
    }
    ServerKeyExchange s = TlsHandshakeMessages.serverKeyExchange(b, off, len, "ECDHE".equals(kx));
    if (tracer.enabled()) {
      tracer.emit(HandshakeStory.serverKeyExchange(event("tls.server_key_exchange", f, len), verb(f), s, kx, len));
    }
  }

  private void clientKeyExchange(Flow f, byte[] b, int off, int len) throws Malformed {
    String kx = TlsNames.keyExchange(suite);
    int n = TlsHandshakeMessages.clientKeyExchangeBytes(b, off, len, kx);
    if (tracer.enabled()) {
      tracer.emit(HandshakeStory.clientKeyExchange(event("tls.key_exchange", f, len), verb(f), kx, n, len));
    }
  }

  // ---- the endpoint's view ----

  private void handshakeEnded(Future<?> f) {
    flushPending(f.isSuccess());
    if (!tracer.enabled()) {
      return;
    }
    if (!f.isSuccess()) {
      String why = TlsFailures.describe(f.cause(), "the " + side.other().word());
      tracer.emit(event("tls.handshake_failed", null, -1).put("reason", why)
          .msg("the TLS handshake failed at the " + side.word() + ": " + why));
      return;
    }
    SSLSession s = ssl.engine().getSession();
    tracer.emit(event("tls.handshake_done", null, -1).put("protocol", s.getProtocol())
        .put("cipher_suite", s.getCipherSuite())
        .msg("handshake complete (" + side.word() + "'s view): " + s.getProtocol() + " with " + s.getCipherSuite()
            + "; application data is now encrypted with the session keys"));
    if (tls13) {
      List<X509Certificate> chain =
          HandshakeStory.x509(side == Side.CLIENT ? peerCertificates(s) : s.getLocalCertificates());
      String whose = side == Side.CLIENT
          ? "the server's certificate chain, encrypted on the wire in TLS 1.3, as the client's TLS engine decrypted "
              + "and verified it: "
          : "the certificate chain the server sent, encrypted on the wire in TLS 1.3: ";
      tracer.emit(event("tls.certificate", null, -1).put("view", "endpoint")
          .put("chain", HandshakeStory.chainFields(chain)).msg(whose + HandshakeStory.describeChain(chain)));
    }
  }

  private static Certificate[] peerCertificates(SSLSession s) {
    try {
      return s.getPeerCertificates();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private void summarize() {
    if (summarized || !tracer.enabled()) {
      return;
    }
    summarized = true;
    long extraOut = Math.max(0, out.appRecords - APP_EVENTS_PER_DIRECTION);
    long extraIn = Math.max(0, in.appRecords - APP_EVENTS_PER_DIRECTION);
    if (extraIn + extraOut == 0 && malformed == 0) {
      return;
    }
    tracer.emit(event("tls.summary", null, -1).put("records_sent", out.records).put("records_received", in.records)
        .put("app_records_sent", out.appRecords).put("app_bytes_sent", out.appBytes)
        .put("app_records_received", in.appRecords).put("app_bytes_received", in.appBytes)
        .put("malformed", malformed)
        .msg("connection closed: " + out.appRecords + " application data records sent (" + out.appBytes
            + " bytes), " + in.appRecords + " received (" + in.appBytes + " bytes)"
            + (malformed > 0 ? "; " + malformed + " direction(s) were not TLS" : "")));
  }

  // ---- helpers ----

  private String verb(Flow f) {
    return f.outbound ? "sends" : "receives";
  }

  private void emit(String type, Flow f, int length, String what) {
    if (tracer.enabled()) {
      tracer.emit(event(type, f, length).msg(f == null ? what : verb(f) + " " + what));
    }
  }

  private ProseEvent event(String type, Flow f, int recordBytes) {
    ProseEvent e = new ProseEvent(type).put("side", side.word());
    if (f != null) {
      e.put("dir", f.outbound ? "sent" : "received");
    }
    e.put("peer", peer());
    if (recordBytes >= 0) {
      e.put("bytes", recordBytes);
    }
    return e;
  }

  private String peer() {
    SocketAddress a = ctx == null ? null : ctx.channel().remoteAddress();
    if (a instanceof InetSocketAddress s && s.getAddress() != null) {
      return s.getAddress().getHostAddress() + ":" + s.getPort();
    }
    return a == null ? null : a.toString();
  }
}
