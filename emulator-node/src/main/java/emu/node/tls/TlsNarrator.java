package emu.node.tls;

import emu.node.event.TlsEvent;
import emu.node.event.TlsEvent.Direction;
import emu.node.event.TlsEvent.EncryptedAlertReason;
import emu.node.event.TlsEvent.KeyExchange;
import emu.node.event.TlsEvent.MalformedCause;
import emu.node.event.TlsEvent.Side;
import emu.node.tls.TlsHandshakeMessages.ClientHello;
import emu.node.tls.TlsHandshakeMessages.Malformed;
import emu.node.tls.TlsHandshakeMessages.ServerHello;
import emu.node.tls.TlsHandshakeMessages.ServerKeyExchange;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLSession;

/**
 * Follows a TLS connection from the bytes on the wire. It sits BELOW the {@link SslHandler}
 * (between the transport and it), reads every record going each way without changing a byte,
 * and reports what it sees as {@link TlsEvent}s carrying the real values: the versions, cipher
 * suites, SNI and key shares of the ClientHello, the server's choices, the certificate chain
 * (plaintext in TLS 1.2; encrypted in TLS 1.3, so then reported from the endpoint's own view
 * once the handshake is over), the RSA-encrypted premaster secret of TLS 1.2 RSA key transport,
 * ChangeCipherSpec, Finished, alerts, and the lengths of the encrypted records. The control
 * plane's renderer tells them in words.
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
  /** Application-data records reported one by one per direction; the rest go into tls.summary. */
  static final int APP_EVENTS_PER_DIRECTION = 8;
  static final int MAX_HANDSHAKE_MESSAGE = 1 << 17;

  private final Tracer tracer;
  /** Which end of the connection this pipeline is. */
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

  private record Pending(Flow flow, int length, int ordinal) {}

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

    Direction dir() {
      return outbound ? Direction.SENT : Direction.RECEIVED;
    }

    /** The end that sent what goes this way. */
    Side sender() {
      return outbound ? side : side.other();
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
          default -> {
            if (tracer.enabled()) {
              tracer.emit(new TlsEvent.OtherRecord(side, dir(), peer(), length, type));
            }
          }
        }
      } catch (NotFollowed e) {
        reader.stop();
        giveUp(e.cause, e.value, null, e.message, e.detail);
      } catch (RuntimeException e) {
        // a bug here must not take the connection down: report it and stop following this way
        reader.stop();
        giveUp(MalformedCause.NARRATOR_ERROR, 0, null, null, e.toString());
      }
    }

    private void handshakeBytes(byte[] body) throws NotFollowed {
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
          throw new NotFollowed(MalformedCause.HANDSHAKE_LENGTH, len, null, null);
        }
        if (hsLen - at - 4 < len) {
          break; // the rest comes in the next record
        }
        try {
          handshakeMessage(this, msgType, hs, at + 4, len);
        } catch (Malformed e) {
          throw new NotFollowed(MalformedCause.HANDSHAKE_MESSAGE, 0, TlsNames.handshakeType(msgType), e.getMessage());
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
    public void malformed(MalformedCause cause, int value, String firstBytes) {
      giveUp(cause, value, firstBytes, null, null);
    }

    private void giveUp(MalformedCause cause, int value, String firstBytes, String message, String detail) {
      malformed++;
      hs = new byte[0];
      hsLen = 0;
      if (tracer.enabled()) {
        tracer.emit(new TlsEvent.Malformed(side, dir(), peer(), cause, value, firstBytes, message, detail));
      }
    }
  }

  /** What made a direction impossible to follow, inside the handshake layer. */
  private static final class NotFollowed extends Exception {
    private static final long serialVersionUID = 1L;
    final MalformedCause cause;
    final int value;
    final String message;
    final String detail;

    NotFollowed(MalformedCause cause, int value, String message, String detail) {
      super(cause.name(), null, false, false);
      this.cause = cause;
      this.value = value;
      this.message = message;
      this.detail = detail;
    }
  }

  // ---- records ----

  private void changeCipherSpec(Flow f, int length) {
    if (!tls13) {
      f.changedCipher = true;
    }
    if (tracer.enabled()) {
      tracer.emit(new TlsEvent.ChangeCipherSpec(side, f.dir(), peer(), length, tls13));
    }
  }

  private void alert(Flow f, int length, byte[] body) {
    if (!tracer.enabled()) {
      return;
    }
    if (body == null || body.length != 2) {
      tracer.emit(new TlsEvent.EncryptedAlert(side, f.dir(), peer(), length, EncryptedAlertReason.ALERT_RECORD));
      return;
    }
    tracer.emit(new TlsEvent.Alert(side, f.dir(), peer(), length, TlsNames.alertLevel(body[0] & 0xFF),
        TlsNames.alert(body[1] & 0xFF)));
  }

  private void encryptedHandshake(Flow f, int length) {
    // TLS 1.2: a handshake record after ChangeCipherSpec, i.e. Finished
    f.encryptedHandshakeRecords++;
    if (tracer.enabled()) {
      tracer.emit(new TlsEvent.Finished(side, f.dir(), peer(), length, false));
    }
  }

  private void applicationData(Flow f, int length) {
    boolean handshakeOver = ssl == null || ssl.handshakeFuture().isDone();
    if (tls13 && handshakeOver && ssl != null && !ssl.handshakeFuture().isSuccess()) {
      if (tracer.enabled()) {
        tracer.emit(new TlsEvent.EncryptedAlert(side, f.dir(), peer(), length, EncryptedAlertReason.HANDSHAKE_REFUSED));
      }
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
    tracer.emit(new TlsEvent.ApplicationData(side, f.dir(), peer(), length, tls13, (int) f.appRecords,
        f.appRecords == APP_EVENTS_PER_DIRECTION));
  }

  private void encryptedHandshake13(Flow f, int length) {
    if (f.sender() == Side.CLIENT) {
      // its Finished, or an alert: known when the handshake ends
      pending.add(new Pending(f, length, f.encryptedHandshakeRecords));
      return;
    }
    if (tracer.enabled()) {
      tracer.emit(new TlsEvent.EncryptedHandshake(side, f.dir(), peer(), length, f.encryptedHandshakeRecords));
    }
  }

  /**
   * Reports the client's pending TLS 1.3 encrypted records: {@code succeeded} true (its
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
    if (!tracer.enabled()) {
      return;
    }
    for (Pending p : todo) {
      Direction dir = p.flow().dir();
      if (Boolean.TRUE.equals(succeeded)) {
        tracer.emit(new TlsEvent.Finished(side, dir, peer(), p.length(), true));
      } else if (Boolean.FALSE.equals(succeeded)) {
        tracer.emit(new TlsEvent.EncryptedAlert(side, dir, peer(), p.length(), EncryptedAlertReason.HANDSHAKE_REFUSED));
      } else {
        tracer.emit(new TlsEvent.EncryptedHandshake(side, dir, peer(), p.length(), p.ordinal()));
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
      case TlsHandshakeMessages.SERVER_HELLO_DONE -> {
        if (tracer.enabled()) {
          tracer.emit(new TlsEvent.ServerHelloDone(side, f.dir(), peer(), len));
        }
      }
      case TlsHandshakeMessages.CERTIFICATE_REQUEST -> {
        if (tracer.enabled()) {
          tracer.emit(new TlsEvent.CertificateRequest(side, f.dir(), peer(), len));
        }
      }
      case TlsHandshakeMessages.NEW_SESSION_TICKET -> {
        if (tracer.enabled()) {
          tracer.emit(new TlsEvent.NewSessionTicket(side, f.dir(), peer(), len));
        }
      }
      default -> {
        if (tracer.enabled()) {
          tracer.emit(new TlsEvent.OtherHandshake(side, f.dir(), peer(), len, type, TlsNames.handshakeType(type)));
        }
      }
    }
  }

  private void clientHello(Flow f, ClientHello h, int len) {
    if (tracer.enabled()) {
      tracer.emit(HandshakeFacts.clientHello(side, f.dir(), peer(), h, len));
    }
  }

  private void serverHello(Flow f, ServerHello h, int len) {
    if (h.helloRetryRequest()) {
      if (tracer.enabled()) {
        tracer.emit(new TlsEvent.HelloRetryRequest(side, f.dir(), peer(), len,
            h.keyShareGroup() >= 0 ? TlsNames.group(h.keyShareGroup()) : null));
      }
      return;
    }
    version = h.version();
    suite = TlsNames.cipherSuite(h.cipherSuite());
    tls13 = version == 0x0304;
    if (tracer.enabled()) {
      tracer.emit(HandshakeFacts.serverHello(side, f.dir(), peer(), h, len));
      if (tls13) {
        tracer.emit(HandshakeFacts.keyAgreement13(side, f.dir(), peer(), h.keyShareGroup()));
      }
    }
  }

  private void certificate12(Flow f, List<byte[]> ders, int len) {
    if (tracer.enabled()) {
      tracer.emit(HandshakeFacts.certificate12(side, f.dir(), peer(), ders, len));
    }
  }

  private void serverKeyExchange(Flow f, byte[] b, int off, int len) throws Malformed {
    KeyExchange kx = TlsNames.keyExchange(suite);
    if (kx != KeyExchange.ECDHE && kx != KeyExchange.DHE) {
      if (tracer.enabled()) {
        tracer.emit(new TlsEvent.ServerKeyExchange(side, f.dir(), peer(), len, kx, null, 0, null));
      }
      return;
    }
    ServerKeyExchange s = TlsHandshakeMessages.serverKeyExchange(b, off, len, kx == KeyExchange.ECDHE);
    if (tracer.enabled()) {
      tracer.emit(HandshakeFacts.serverKeyExchange(side, f.dir(), peer(), s, kx, len));
    }
  }

  private void clientKeyExchange(Flow f, byte[] b, int off, int len) throws Malformed {
    KeyExchange kx = TlsNames.keyExchange(suite);
    int n = TlsHandshakeMessages.clientKeyExchangeBytes(b, off, len, kx);
    if (tracer.enabled()) {
      tracer.emit(HandshakeFacts.clientKeyExchange(side, f.dir(), peer(), kx, n, len));
    }
  }

  // ---- the endpoint's view ----

  private void handshakeEnded(Future<?> f) {
    flushPending(f.isSuccess());
    if (!tracer.enabled()) {
      return;
    }
    if (!f.isSuccess()) {
      Throwable cause = f.cause();
      tracer.emit(new TlsEvent.HandshakeFailed(side, peer(), TlsFailures.failure(cause), TlsFailures.alert(cause),
          TlsFailures.describe(cause, side.other() == Side.CLIENT ? "the client" : "the server")));
      return;
    }
    SSLSession s = ssl.engine().getSession();
    tracer.emit(new TlsEvent.HandshakeDone(side, peer(), s.getProtocol(), s.getCipherSuite()));
    if (tls13) {
      tracer.emit(HandshakeFacts.endpointCertificates(side, peer(),
          side == Side.CLIENT ? peerCertificates(s) : s.getLocalCertificates()));
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
    tracer.emit(new TlsEvent.Summary(side, peer(), out.records, in.records, out.appRecords, out.appBytes,
        in.appRecords, in.appBytes, malformed));
  }

  // ---- helpers ----

  private String peer() {
    SocketAddress a = ctx == null ? null : ctx.channel().remoteAddress();
    if (a instanceof InetSocketAddress s && s.getAddress() != null) {
      return emu.node.wire.IpAddress.of(s.getAddress()).withPort(s.getPort()); // [v6]:port for IPv6
    }
    return a == null ? null : a.toString();
  }
}
