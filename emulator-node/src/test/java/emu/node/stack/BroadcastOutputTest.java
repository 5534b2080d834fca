package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.testing.CapturedFrame;
import emu.node.testing.CorporateNetwork;
import emu.node.testing.FrameMatcher;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Broadcasts a host originates must go out as Ethernet broadcasts to everyone on the LAN, never
 * to the gateway: a broadcast has no next hop (Linux: __mkroute_output makes 255.255.255.255
 * an RTN_BROADCAST route without a gateway, whatever route matched).
 */
class BroadcastOutputTest {
  private VirtualLab lab;
  private CorporateNetwork net;
  private final List<String> heardByClient2 = new ArrayList<>();

  @BeforeEach
  void setUp() {
    lab = new VirtualLab(5);
    net = CorporateNetwork.start(lab);
    net.client2.stack().udp().bind(6000, (src, sp, dst, dp, payload) ->
        heardByClient2.add(Ipv4Address.format(src) + " > " + Ipv4Address.format(dst) + ":" + dp));
    net.clearRecords();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  private void sendUdp(String dst) {
    NetworkStack client = net.client.stack();
    ByteBuf data = client.allocate(8);
    data.writeLong(1);
    assertEquals(SendResult.SENT, client.udp().send(0, 6000, Ipv4Address.parse(dst), 6000, 64, data));
    lab.settle();
  }

  @ParameterizedTest(name = "to {0}")
  @ValueSource(strings = {"192.168.1.255", "255.255.255.255"})
  void broadcastGoesToEveryoneOnTheLanAsEthernetBroadcast(String dst) {
    sendUdp(dst);

    CapturedFrame out = FrameMatcher.ipv4().dst(dst).single(net.client.sent("eth0"));
    FrameMatcher.ipv4().ethBroadcast().src("192.168.1.100").ttl(64).checksumValid().udp(6000, 6000).assertMatches(out);
    assertEquals(List.of("192.168.1.100 > " + dst + ":6000"), heardByClient2);
    // No ARP was needed for a broadcast, least of all for the gateway.
    FrameMatcher.arpRequest().assertNone(net.client.sent("eth0"));
  }
}
