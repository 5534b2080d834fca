package emu.node.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.time.VirtualTime;
import emu.node.config.DhcpConfig;
import emu.node.event.DhcpEvent;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import emu.node.wire.Ipv4Address;
import emu.node.wire.Ipv4Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's lease file and INIT-REBOOT (RFC 2131 3.2, 4.4.2) on virtual time: a client
 * restarted with an unexpired lease asks for it again with a broadcast REQUEST (option 50, no
 * server identifier, ciaddr 0); an ACK binds it after the ARP probe, a NAK starts over at once,
 * silence falls back to DISCOVER asking for the same address; a bad lease file is skipped, told.
 */
class DhcpInitRebootTest {
  private static final String MAC = "02:00:00:00:00:64";
  private static final DhcpConfig POOL = new DhcpConfig("192.168.1.100", "192.168.1.103", 3600, "192.168.1.1",
      List.of("192.168.1.53"), null, null);

  @TempDir
  Path dir;
  private Path file;
  private VirtualLab lab;
  private LabSwitch sw;
  private LabNode srv;
  private DhcpServer server;
  private int port = 2;

  @BeforeEach
  void setUp() {
    file = dir.resolve("client.dhcp-client.leases");
    lab = new VirtualLab(32);
    sw = lab.bridge("sw1");
    srv = lab.host("dhcpsrv");
    lab.connect(srv, "eth0", "02:00:00:00:00:02", "192.168.1.2/24", sw, "p1");
    server = new DhcpServer(srv.stack(), srv.tracer());
    server.serve(srv.nic("eth0"), POOL);
    lab.start();
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  /** The client's node (started again: a new process, same MAC, same lease file) and its client. */
  private record Client(LabNode node, DhcpClient dhcp) {}

  private Client boot() {
    LabNode node = lab.host("client" + port);
    lab.connect(node, "eth0", MAC, null, sw, "p" + port++);
    DhcpClient dhcp = new DhcpClient(node.stack(), node.tracer(), "client", (nic, servers) -> { })
        .leaseFile(file);
    node.stack().start();
    dhcp.add(node.nic("eth0"));
    return new Client(node, dhcp);
  }

  /** The node dies at once: no RELEASE, its link goes dark. */
  private static void kill(Client c) {
    c.node().nic("eth0").setUp(false);
  }

  private static String remembered(String address, long boundSecondsAgo, long leaseSeconds, VirtualLab lab) {
    long now = (VirtualTime.EPOCH_START_NANOS + lab.now()) / 1_000_000_000L;
    Ipv4Cidr a = Ipv4Cidr.parse(address);
    return new DhcpLeaseFile.ClientLease("eth0", a.address(), a.prefixLength(), Ipv4Address.parse("192.168.1.2"), 0,
        Ipv4Address.parse("192.168.1.1"), List.of(), leaseSeconds, leaseSeconds / 2, leaseSeconds * 7 / 8,
        now - boundSecondsAgo).line();
  }

  @Test
  void aRestartedClientAsksForItsLeaseAgainAndTheServerAcksIt() throws Exception {
    Client first = boot();
    lab.runUntil(first.dhcp()::allBound, VirtualLab.seconds(10));
    assertEquals(Ipv4Cidr.parse("192.168.1.100/24"), first.node().nic("eth0").address());
    List<String> saved = Files.readAllLines(file);
    assertEquals(1, saved.size());
    assertTrue(saved.get(0).matches("eth0 address=192\\.168\\.1\\.100/24 server=192\\.168\\.1\\.2"
        + " server-mac=02:00:00:00:00:02 routers=192\\.168\\.1\\.1 dns=192\\.168\\.1\\.53 lease=3600 t1=1800 t2=3150"
        + " bound=\\d+ expires=\\d+"), saved.get(0));

    kill(first);
    lab.advance(VirtualLab.seconds(100));
    Client again = boot();
    DhcpEvent.ClientReboot reboot = again.node().events(DhcpEvent.ClientReboot.class).get(0);
    assertEquals("192.168.1.100/24", reboot.address());
    assertEquals(3500, reboot.leftSeconds(), 1);
    assertEquals(DhcpClient.State.REBOOTING, again.dhcp().state(again.node().nic("eth0")));
    assertNull(again.node().nic("eth0").address(), "not used before the ACK");
    DhcpEvent.ClientSent request = again.node().events(DhcpEvent.ClientSent.class).get(0);
    assertEquals(new DhcpEvent.ClientSent("eth0", "REQUEST", "init-reboot", request.xid(), "0.0.0.0",
        "255.255.255.255", "192.168.1.100", null, 1), request, "option 50, no server identifier, ciaddr 0");
    lab.runUntil(again.dhcp()::allBound, VirtualLab.seconds(10));
    assertEquals(Ipv4Cidr.parse("192.168.1.100/24"), again.node().nic("eth0").address());
    assertTrue(again.node().events(DhcpEvent.ClientSent.class).stream().noneMatch(s -> s.message().equals("DISCOVER")),
        "no DISCOVER");
    assertEquals(DhcpClient.PROBES, again.node().events(DhcpEvent.ClientProbe.class).size(), "probed as a new lease");
    assertFalse(again.node().events(DhcpEvent.ClientBound.class).get(0).renewed());
    assertEquals(Ipv4Address.parse("192.168.1.1"), again.node().stack().routes().lookup(Ipv4Address.parse("10.9.9.9"))
        .gateway(), "the default route is back");
    assertTrue(srv.events(DhcpEvent.Acked.class).get(1).extended(), "the server extended the lease it knew");
    assertEquals(1, server.leases().size());
  }

  @Test
  void aNakInInitRebootStartsOverAtOnce() throws Exception {
    Files.writeString(file, remembered("10.0.0.5/24", 60, 3600, lab) + "\n");
    Client c = boot();
    lab.advance(VirtualLab.millis(100));
    assertEquals("wrong network", srv.events(DhcpEvent.Naked.class).get(0).reason());
    assertEquals(1, c.node().events(DhcpEvent.ClientNak.class).size());
    DhcpEvent.ClientSent discover = c.node().events(DhcpEvent.ClientSent.class).get(1);
    assertEquals("DISCOVER", discover.message());
    assertNull(discover.requested(), "the refused address is not asked for again");
    assertTrue(Files.readString(file).isEmpty(), "the lease file forgets the refused lease");
    lab.runUntil(c.dhcp()::allBound, VirtualLab.seconds(10));
    assertEquals(Ipv4Cidr.parse("192.168.1.100/24"), c.node().nic("eth0").address());
    assertTrue(Files.readString(file).startsWith("eth0 address=192.168.1.100/24 "));
  }

  @Test
  void withoutAnAnswerTheClientFallsBackToDiscoverAskingForTheSameAddress() throws Exception {
    Files.writeString(file, remembered("192.168.1.102/24", 600, 3600, lab) + "\n");
    srv.nic("eth0").setUp(false); // the server is down while the client starts
    Client c = boot();
    lab.advance(VirtualLab.seconds(3));
    assertNull(c.node().nic("eth0").address(), "an unconfirmed lease is not used");
    lab.advance(VirtualLab.seconds(11));
    List<DhcpEvent.ClientSent> sent = c.node().events(DhcpEvent.ClientSent.class);
    assertEquals(List.of("init-reboot", "init-reboot", "init"), sent.stream().limit(3).map(DhcpEvent.ClientSent::state)
        .toList());
    assertEquals(new DhcpEvent.ClientRebootTimeout("eth0", "192.168.1.102", DhcpClient.REBOOT_REQUESTS),
        c.node().events(DhcpEvent.ClientRebootTimeout.class).get(0));
    long retry = c.node().events(DhcpEvent.ClientRetry.class).get(0).delayMillis();
    assertTrue(retry >= 3000 && retry <= 5000, "the second REQUEST 4 s (+-1 s) after the first");
    assertEquals("192.168.1.102", sent.get(2).requested(), "the DISCOVER asks for the remembered address");
    assertEquals(DhcpClient.State.SELECTING, c.dhcp().state(c.node().nic("eth0")));
    srv.nic("eth0").setUp(true);
    lab.runUntil(c.dhcp()::allBound, VirtualLab.seconds(30));
    assertEquals(Ipv4Cidr.parse("192.168.1.102/24"), c.node().nic("eth0").address(), "and gets it back");
  }

  @Test
  void anExpiredOrBrokenLeaseFileMeansAPlainDiscover() throws Exception {
    Files.writeString(file, String.join("\n", "# kept by the client", "garbage",
        "eth0 address=192.168.1.101/24 server=192.168.1.2 lease=3600 t1=1800",
        "eth0 address=192.168.1.101/24 server=192.168.1.2 lease=3600 t1=1800 t2=3150 bound=x",
        remembered("192.168.1.101/24", 4000, 3600, lab), "eth0 address=192.168.1.101") + "\n");
    Client c = boot();
    List<DhcpEvent.LeaseFileError> errors = c.node().events(DhcpEvent.LeaseFileError.class);
    assertEquals(4, errors.size(), errors.toString());
    assertEquals("line 2 skipped: not INTERFACE KEY=VALUE...", errors.get(0).reason());
    assertEquals("line 3 skipped: no t2=", errors.get(1).reason());
    assertTrue(c.node().events(DhcpEvent.ClientReboot.class).isEmpty(), "the one good lease has expired");
    assertEquals("DISCOVER", c.node().events(DhcpEvent.ClientSent.class).get(0).message());
    lab.runUntil(c.dhcp()::allBound, VirtualLab.seconds(10));
    assertEquals(1, Files.readAllLines(file).size(), "rewritten with the new lease only");
  }
}
