package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.HttpsEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The words for HTTPS, on the server and in https-get, as the narrative printed them before they were facts. */
class HttpsStoryTest {
  @Test
  void theServerListensOrSaysWhyNot() {
    assertEquals("HTTPS server listening on TCP port 443 for payroll.corp.com, www.corp.com (TLS 1.3, Bouncy Castle "
        + "JSSE)", Story.sentence(new HttpsEvent.Listening(443, List.of("payroll.corp.com", "www.corp.com"), "1.3",
        "Bouncy Castle JSSE")));
    assertEquals("HTTPS server listening on TCP port 8443 (TLS 1.2-rsa, JDK SunJSSE)",
        Story.sentence(new HttpsEvent.Listening(8443, List.of(), "1.2-rsa", "JDK SunJSSE")));
    assertEquals("HTTPS server cannot listen on TCP port 443: Address already in use",
        Story.sentence(new HttpsEvent.ListenFailed(443, "Address already in use")));
  }

  @Test
  void requestAndResponseLinesSayWhatTlsHid() {
    assertEquals("receives GET / over TLS from 192.168.1.100:44216 (decrypted: 84 bytes)",
        Story.sentence(new HttpsEvent.Request("192.168.1.100:44216", "GET", "/", "payroll.corp.com", 84)));
    assertEquals("answers 200 OK, 292 bytes, sent as 1 encrypted record (422 bytes of HTTP before encryption)",
        Story.sentence(new HttpsEvent.Response("192.168.1.100:44216", 200, "OK", 292, 422, 1)));
    assertEquals("answers 404 Not Found, 150 bytes, sent as 2 encrypted records (280 bytes of HTTP before encryption)",
        Story.sentence(new HttpsEvent.Response("192.168.1.100:44216", 404, "Not Found", 150, 280, 2)));
    assertEquals("https-get sends GET / to payroll.corp.com over TLS (84 bytes of HTTP, sent as 1 encrypted record)",
        Story.sentence(new HttpsEvent.ClientRequest("payroll.corp.com", "GET", "/", 84, 1)));
    assertEquals("https-get receives 200 OK, 292 bytes of body (422 bytes of HTTP decrypted; 1 encrypted record "
        + "received on this connection)", Story.sentence(new HttpsEvent.ClientResponse("payroll.corp.com", 200, "OK",
        292, 422, 1)));
    assertEquals("https-get receives 404 Not Found, 150 bytes of body (280 bytes of HTTP decrypted; 3 encrypted records "
        + "received on this connection)", Story.sentence(new HttpsEvent.ClientResponse("payroll.corp.com", 404,
        "Not Found", 150, 280, 3)));
  }

  @Test
  void aRejectedConnectionSaysWhyAndThatTheServerGoesOn() {
    assertEquals("closes the connection from 10.1.0.10:40112: the bytes received are not TLS (1 non-TLS and 0 failed "
        + "handshakes so far; still serving)", Story.sentence(new HttpsEvent.Rejected("10.1.0.10:40112",
        "the bytes received are not TLS", true, 1, 0)));
  }
}
