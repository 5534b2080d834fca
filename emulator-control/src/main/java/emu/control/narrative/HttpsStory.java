package emu.control.narrative;

import emu.node.event.HttpsEvent;

/**
 * The words for HTTPS: the server's listening, requests and answers, refusals, and the
 * {@code https-get} client's request and response, with what TLS hid and how many encrypted
 * records it took.
 */
final class HttpsStory implements HttpsEvent.Visitor<String> {

  private static String records(long n) {
    return n + " encrypted record" + (n == 1 ? "" : "s");
  }

  @Override
  public String listening(HttpsEvent.Listening e) {
    return "HTTPS server listening on TCP port " + e.port()
        + (e.names().isEmpty() ? "" : " for " + String.join(", ", e.names())) + " (TLS " + e.tls() + ", "
        + e.provider() + ")";
  }

  @Override
  public String listenFailed(HttpsEvent.ListenFailed e) {
    return "HTTPS server cannot listen on TCP port " + e.port() + ": " + e.error();
  }

  @Override
  public String rejected(HttpsEvent.Rejected e) {
    return "closes the connection from " + e.peer() + ": " + e.reason() + " (" + e.notTlsSoFar() + " non-TLS and "
        + e.failedSoFar() + " failed handshakes so far; still serving)";
  }

  @Override
  public String request(HttpsEvent.Request e) {
    return "receives " + e.method() + " " + e.path() + " over TLS from " + e.peer() + " (decrypted: "
        + e.decryptedBytes() + " bytes)";
  }

  @Override
  public String response(HttpsEvent.Response e) {
    return "answers " + e.status() + " " + e.reason() + ", " + e.bodyBytes() + " bytes, sent as "
        + records(e.records()) + " (" + e.plaintextBytes() + " bytes of HTTP before encryption)";
  }

  @Override
  public String clientRequest(HttpsEvent.ClientRequest e) {
    return "https-get sends " + e.method() + " " + e.path() + " to " + e.host() + " over TLS (" + e.plaintextBytes()
        + " bytes of HTTP, sent as " + records(e.records()) + ")";
  }

  @Override
  public String clientResponse(HttpsEvent.ClientResponse e) {
    return "https-get receives " + e.status() + " " + e.reason() + ", " + e.bodyBytes() + " bytes of body ("
        + e.decryptedBytes() + " bytes of HTTP decrypted; " + records(e.records()) + " received on this connection)";
  }
}
