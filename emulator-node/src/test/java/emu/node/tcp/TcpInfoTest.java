package emu.node.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.wire.IpAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code ss -tanoi}'s shape: the socket line with its timer, then a tab and the TCP information. */
class TcpInfoTest {
  @ParameterizedTest(name = "{0} ms -> {1}")
  @CsvSource({"200, 200ms", "1500, 1.500ms", "9001, 9.001ms", "30000, 30sec", "12345, 12sec", "65000, 1min5sec",
      "119000, 1min59sec", "720000, 12min", "0, ''"})
  void timersAsIproute2PrintsThem(long ms, String text) {
    assertEquals(text, TcpInfo.msTimer(ms));
  }

  @Test
  void twoLinesTheSecondAfterATab() {
    TcpInfo i = new TcpInfo(TcpState.ESTABLISHED, IpAddress.parse("10.0.0.1"), 40000, IpAddress.parse("10.0.1.1"),
        5201, 0, 1448, 204, 1.5, 0.75, 10, Integer.MAX_VALUE, 7, 7, 1448, 0, 0, "cubic", 1448, 0, 0, "on", 1500);
    List<String> lines = i.ssLines();
    assertEquals(2, lines.size());
    assertTrue(lines.get(0).matches("ESTAB +0 +1448 +10\\.0\\.0\\.1:40000 +10\\.0\\.1\\.1:5201 +timer:\\(on,1\\.500ms,0\\)"),
        lines.get(0));
    assertEquals("\t cubic wscale:7,7 rto:204 rtt:1.500/0.750 mss:1448 cwnd:10 bytes_sent:1448 bytes_acked:0 "
        + "bytes_received:0", lines.get(1));
    assertEquals(lines.get(0) + lines.get(1).substring(1), i.ssLine());
  }
}
