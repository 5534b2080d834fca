package emu.node.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * HTTP/1.1 over TLS: a node's HTTPS server ({@code https.*}) and the {@code https-get} client
 * ({@code https.client_*}). Byte counts say what TLS hid: the HTTP bytes before encryption (or
 * after decryption) and the encrypted records they travelled in. Peers are ADDRESS:PORT.
 */
public sealed interface HttpsEvent extends TraceEvent {
  <R> R accept(Visitor<R> v);

  @Override
  default <R> R accept(TraceEvent.Visitor<R> v) {
    return v.https(this);
  }

  interface Visitor<R> {
    R listening(Listening e);

    R listenFailed(ListenFailed e);

    R rejected(Rejected e);

    R request(Request e);

    R response(Response e);

    R clientRequest(ClientRequest e);

    R clientResponse(ClientResponse e);
  }

  /**
   * The server listens on TCP {@code port} for {@code names}, with TLS mode {@code tls}
   * ({@code 1.3}, {@code 1.2}, {@code 1.2-rsa}) and TLS implementation {@code provider}.
   */
  @JsonTypeName("https.listen")
  record Listening(int port, List<String> names, String tls, String provider) implements HttpsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.listening(this);
    }
  }

  /** The server cannot listen on {@code port}; {@code error} is the bind's exception message. */
  @JsonTypeName("https.error")
  record ListenFailed(int port, String error) implements HttpsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.listenFailed(this);
    }
  }

  /**
   * The server closed a connection whose TLS handshake failed: why ({@code reason}, the TLS
   * engine's account), whether what arrived was not TLS at all ({@code notTls}), and how many
   * connections it has closed so far for not speaking TLS and for a failed handshake; it goes
   * on serving.
   */
  @JsonTypeName("https.rejected")
  record Rejected(String peer, String reason, boolean notTls, long notTlsSoFar, long failedSoFar)
      implements HttpsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.rejected(this);
    }
  }

  /**
   * The server received a request over TLS: method, path, Host header (null without one) and
   * the HTTP bytes decrypted for it.
   */
  @JsonTypeName("https.request")
  record Request(String peer, String method, String path, String host, long decryptedBytes) implements HttpsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.request(this);
    }
  }

  /**
   * The server's answer is written: status code and reason phrase, body length, the HTTP bytes
   * before encryption, and the encrypted records they went in.
   */
  @JsonTypeName("https.response")
  record Response(String peer, int status, String reason, int bodyBytes, long plaintextBytes, long records)
      implements HttpsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.response(this);
    }
  }

  /**
   * {@code https-get} sent its request ({@code method} {@code path} to {@code host}) over TLS:
   * {@code plaintextBytes} of HTTP in {@code records} encrypted records.
   */
  @JsonTypeName("https.client_request")
  record ClientRequest(String host, String method, String path, long plaintextBytes, long records)
      implements HttpsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientRequest(this);
    }
  }

  /**
   * {@code https-get} received the answer from {@code host}: status code and reason phrase, body
   * length, the HTTP bytes decrypted, and the encrypted application data records received on
   * the connection.
   */
  @JsonTypeName("https.client_response")
  record ClientResponse(String host, int status, String reason, int bodyBytes, long decryptedBytes, long records)
      implements HttpsEvent {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clientResponse(this);
    }
  }
}
