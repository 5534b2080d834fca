package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.link.DisconnectedEndpoint;
import emu.link.time.VirtualTime;
import emu.node.stack.NeighborCache;
import emu.node.stack.NetworkStack;
import emu.node.stack.Route;
import emu.node.stack.StackObserver;
import emu.node.trace.StackTrace;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The narrative writes a route exactly as the node's own {@code ip route} prints it. */
class RouteWordsTest {
  @Test
  void aRouteReadsInTheNarrativeAsIpRoutePrintsIt() {
    NetworkStack s = new NetworkStack("r1", new VirtualTime(), new SplittableRandom(1), StackObserver.OFF,
        UnpooledByteBufAllocator.DEFAULT, true, NeighborCache.Params.LINUX);
    s.addNic("eth0", 0x020000000100L, Ipv4Cidr.parse("192.168.1.1/24"), new DisconnectedEndpoint("r1:eth0", 1500));
    s.addNic("eth1", 0x020000000101L, Ipv4Cidr.parse("10.1.0.1/30"), new DisconnectedEndpoint("r1:eth1", 1500));
    s.addRoute(new Ipv4Cidr(0, 0), Ipv4Address.parse("192.168.1.254"), 0);
    s.addRoute(Ipv4Cidr.parse("172.16.0.0/12"), Ipv4Address.parse("10.1.0.2"), 20);
    assertEquals(4, s.routes().routes().size());
    for (Route r : s.routes().routes()) {
      assertEquals(r.describe(), Words.route(StackTrace.route(r)));
    }
  }
}
