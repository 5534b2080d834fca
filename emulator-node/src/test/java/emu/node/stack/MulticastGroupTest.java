package emu.node.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.wire.MacAddress;
import emu.node.testing.CapturedFrame;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Link-local multicast as a routing protocol uses it: three routers on a switch, r2 and r3 join
 * 224.0.0.5 on their LAN interface, r1 sends on its interface to the group with TTL 1 (the
 * frame to 01:00:5e:00:00:05, no ARP); the joined routers take the packet in through the protocol
 * registered for its number, the one that did not join drops it, and nobody forwards it.
 */
class MulticastGroupTest {
  private static final int OSPF = 89;
  private static final int ALL_SPF = Ipv4Address.parse("224.0.0.5");
  private VirtualLab lab;

  @AfterEach
  void tearDown() {
    if (lab != null) {
      lab.close();
    }
  }

  private static List<String> listen(LabNode node) {
    List<String> got = new ArrayList<>();
    node.stack().registerProtocol(OSPF, (nic, buf, ipStart, noReply) -> {
      Ipv4Packet ip = new Ipv4Packet().wrap(buf, ipStart);
      got.add(nic.name() + " " + Ipv4Address.format(ip.src()) + " > " + Ipv4Address.format(ip.dst()) + " ttl "
          + ip.ttl() + " tos 0x" + Integer.toHexString(ip.tos()) + " noReply " + noReply);
      buf.release();
    });
    return got;
  }

  @Test
  void joinedRoutersTakeTheGroupsPacketsAndNobodyForwardsThem() {
    lab = new VirtualLab(5);
    LabNode r1 = lab.router("r1");
    LabNode r2 = lab.router("r2");
    LabNode r3 = lab.router("r3");
    LabNode far = lab.host("far");
    LabSwitch sw = lab.bridge("sw");
    lab.connect(r1, "eth0", "02:00:00:00:00:01", "10.0.0.1/24", sw, "p1");
    lab.connect(r2, "eth0", "02:00:00:00:00:02", "10.0.0.2/24", sw, "p2");
    lab.connect(r3, "eth0", "02:00:00:00:00:03", "10.0.0.3/24", sw, "p3");
    lab.connect(r2, "eth1", "02:00:00:00:01:02", "10.0.1.2/24", far, "eth0", "02:00:00:00:01:09", "10.0.1.9/24",
        VirtualLab.DEFAULT_MTU);
    List<String> at2 = listen(r2);
    List<String> at3 = listen(r3);
    List<String> atFar = listen(far);
    r2.stack().joinGroup(r2.nic("eth0"), ALL_SPF);
    r3.stack().joinGroup(r3.nic("eth0"), ALL_SPF);
    r3.stack().leaveGroup(r3.nic("eth0"), ALL_SPF);
    lab.start();
    long before = r3.drops(DropReason.IP_NOT_FOR_US);
    r1.clearRecords(); // the start's gratuitous ARPs

    ByteBuf hello = r1.stack().allocate(44);
    hello.writeZero(44);
    SendResult sent = r1.stack().ipv4Output().sendOn(r1.nic("eth0"), 0, ALL_SPF, OSPF, 1, 0xC0, hello,
        (b, s, l, from, to) -> { });
    lab.settle();

    assertEquals(SendResult.SENT, sent);
    assertEquals(List.of("eth0 10.0.0.1 > 224.0.0.5 ttl 1 tos 0xc0 noReply true"), at2);
    assertEquals(List.of(), at3, "r3 left the group");
    assertEquals(before + 1, r3.drops(DropReason.IP_NOT_FOR_US));
    assertEquals(List.of(), atFar, "224.0.0.0/24 is never forwarded");
    CapturedFrame f = r1.sent("eth0").stream().filter(CapturedFrame::isIpv4).findFirst().orElseThrow();
    assertEquals(MacAddress.parse("01:00:5e:00:00:05").bits(), f.dstMac());
    assertTrue(r1.sent("eth0").stream().noneMatch(CapturedFrame::isArpRequest), "no ARP for a group");
    assertEquals(List.of("2:\teth0", "\tlink  01:00:5e:00:00:05", "\tinet  224.0.0.5",
        "3:\teth1"), lab.exec(r2, "ip maddr").lines());
  }

  @Test
  void onlyGroupsCanBeJoinedAndTooBigIsRefused() {
    lab = new VirtualLab(6);
    LabNode r1 = lab.router("r1");
    LabNode r2 = lab.router("r2");
    lab.connect(r1, "eth0", "02:00:00:00:00:01", "10.0.0.1/24", r2, "eth0", "02:00:00:00:00:02", "10.0.0.2/24",
        VirtualLab.DEFAULT_MTU);
    lab.start();
    assertThrows(IllegalArgumentException.class,
        () -> r1.stack().joinGroup(r1.nic("eth0"), Ipv4Address.parse("10.0.0.9")));
    ByteBuf big = r1.stack().allocate(1500);
    big.writeZero(1500);
    assertEquals(SendResult.TOO_BIG, r1.stack().ipv4Output().sendOn(r1.nic("eth0"), 0, ALL_SPF, OSPF, 1, 0xC0, big,
        (b, s, l, from, to) -> { }));
    // unicast on the link: ARP-resolved like any neighbour
    List<String> at2 = listen(r2);
    ByteBuf update = r1.stack().allocate(8);
    update.writeZero(8);
    r1.stack().ipv4Output().sendOn(r1.nic("eth0"), 0, Ipv4Address.parse("10.0.0.2"), OSPF, 1, 0xC0, update,
        (b, s, l, from, to) -> { });
    lab.settle();
    assertEquals(List.of("eth0 10.0.0.1 > 10.0.0.2 ttl 1 tos 0xc0 noReply false"), at2);
  }
}
