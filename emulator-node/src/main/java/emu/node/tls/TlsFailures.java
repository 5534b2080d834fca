package emu.node.tls;

import emu.node.event.TlsEvent.Failure;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;

/**
 * Turns the exceptions a TLS handshake fails with (Bouncy Castle's, the JDK's, Netty's) into
 * one short phrase: the certificate problem, the alert received or sent, "not TLS", a
 * timeout, or the connection closing.
 */
public final class TlsFailures {
  private static final Pattern JDK_ALERT = Pattern.compile("Received fatal alert: (\\w+)");
  private static final Pattern BC_NOISE = Pattern.compile("\\s*\\[(client|server) #\\d+ @[0-9a-f]+\\]\\s*");
  private static final int MAX = 240;

  private TlsFailures() {}

  /** E.g. "the server sent fatal alert protocol_version"; {@code peer} is "the server" or "the client". */
  public static String describe(Throwable t, String peer) {
    if (t == null) {
      return "unknown reason";
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CertificateException && c.getMessage() != null) {
        return c.getMessage();
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TlsFatalAlertReceived r) {
        return peer + " sent fatal alert " + TlsNames.alert(r.getAlertDescription());
      }
      if (c instanceof TlsFatalAlert a) {
        String detail = detail(a.getMessage());
        return "fatal alert " + TlsNames.alert(a.getAlertDescription()) + (detail.isEmpty() ? "" : ": " + detail);
      }
      if (c instanceof NotSslRecordException) {
        return "the bytes received are not TLS";
      }
      if (c instanceof SslHandshakeTimeoutException) {
        return "the handshake timed out";
      }
      if (c instanceof ClosedChannelException) {
        return "the connection closed during the handshake";
      }
      if (c.getMessage() != null) {
        Matcher m = JDK_ALERT.matcher(c.getMessage());
        if (m.find()) {
          return peer + " sent fatal alert " + m.group(1);
        }
      }
    }
    String top = null;
    for (Throwable c = t; c != null && top == null; c = c.getCause()) {
      top = c.getMessage();
    }
    return top == null ? t.getClass().getSimpleName() : clip(top);
  }

  /** How the handshake failed, in the cases {@link #describe} tells apart. */
  public static Failure failure(Throwable t) {
    if (t == null) {
      return Failure.OTHER;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CertificateException && c.getMessage() != null) {
        return Failure.CERTIFICATE;
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TlsFatalAlertReceived) {
        return Failure.ALERT_RECEIVED;
      }
      if (c instanceof TlsFatalAlert) {
        return Failure.ALERT_SENT;
      }
      if (c instanceof NotSslRecordException) {
        return Failure.NOT_TLS;
      }
      if (c instanceof SslHandshakeTimeoutException) {
        return Failure.TIMED_OUT;
      }
      if (c instanceof ClosedChannelException) {
        return Failure.CLOSED;
      }
      if (c.getMessage() != null && JDK_ALERT.matcher(c.getMessage()).find()) {
        return Failure.ALERT_RECEIVED;
      }
    }
    return Failure.OTHER;
  }

  /**
   * The fatal alert a failed handshake sent or received, when the TLS engine says which (Bouncy
   * Castle always does; the JDK's only for alerts received), or null.
   */
  public static String alert(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TlsFatalAlertReceived r) {
        return TlsNames.alert(r.getAlertDescription());
      }
      if (c instanceof TlsFatalAlert a) {
        return TlsNames.alert(a.getAlertDescription());
      }
      if (c.getMessage() != null) {
        Matcher m = JDK_ALERT.matcher(c.getMessage());
        if (m.find()) {
          return m.group(1);
        }
      }
    }
    return null;
  }

  /** BC's alert messages: "handshake_failure(40); [server #6 @53ed09e8] found no ..." -> "found no ...". */
  private static String detail(String message) {
    if (message == null) {
      return "";
    }
    int semi = message.indexOf(';');
    String rest = semi < 0 ? "" : message.substring(semi + 1);
    return clip(BC_NOISE.matcher(rest).replaceAll(" ").trim());
  }

  private static String clip(String s) {
    return s.length() <= MAX ? s : s.substring(0, MAX) + "...";
  }
}
