package emu.control.narrative;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.node.event.DhcpEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DHCP server's sentences: the exchange of the example, a renewal, refusals. */
class DhcpStoryTest {
  @Test
  void theExchangeAsTheServerTellsIt() {
    assertEquals("receives DHCP DISCOVER from 02:00:00:00:0a:01 (kern), sent from 0.0.0.0:68 to 255.255.255.255:67"
        + " (it has no address yet), xid 0x3903f326", Story.sentence(new DhcpEvent.Received("eth0", "DISCOVER",
            "02:00:00:00:0a:01", 0x3903f326L, "0.0.0.0", "255.255.255.255", null, "kern", false)));
    assertEquals("offers 192.168.1.100 for 1h with gateway 192.168.1.1 and DNS 192.168.1.53 to 02:00:00:00:0a:01,"
        + " unicast to 192.168.1.100:68 at its MAC (no ARP: it cannot answer for that address yet)",
        Story.sentence(new DhcpEvent.Offered("02:00:00:00:0a:01", "192.168.1.100", 3600, "192.168.1.1",
            List.of("192.168.1.53"), "192.168.1.100", false)));
    assertEquals("receives DHCP REQUEST from 02:00:00:00:0a:01, sent from 0.0.0.0:68 to 255.255.255.255:67 (it has"
        + " no address yet); it asks for 192.168.1.100, xid 0x1, BROADCAST flag set",
        Story.sentence(new DhcpEvent.Received("eth0", "REQUEST", "02:00:00:00:0a:01", 1, "0.0.0.0",
            "255.255.255.255", "192.168.1.100", null, true)));
    assertEquals("acknowledges 192.168.1.100 to 02:00:00:00:0a:01: leased for 1h, renewal from 30m (T1), rebinding"
        + " from 52m30s (T2); sent broadcast to 255.255.255.255:68 (the client asked for broadcast replies)",
        Story.sentence(new DhcpEvent.Acked("02:00:00:00:0a:01", "192.168.1.100", 3600, 1800, 3150, "255.255.255.255",
            true, false)));
    assertEquals("acknowledges 192.168.1.100 to 02:00:00:00:0a:01 again (lease extended): leased for 1h, renewal"
        + " from 30m (T1), rebinding from 52m30s (T2); sent to 192.168.1.100:68",
        Story.sentence(new DhcpEvent.Acked("02:00:00:00:0a:01", "192.168.1.100", 3600, 1800, 3150, "192.168.1.100",
            false, true)));
  }

  @Test
  void refusalsAndWhatIsLeftUnanswered() {
    assertEquals("refuses (DHCP NAK, broadcast) 02:00:00:00:0a:01's request for 10.0.0.5: wrong network",
        Story.sentence(new DhcpEvent.Naked("02:00:00:00:0a:01", "10.0.0.5", "wrong network")));
    assertEquals("has no free address for 02:12:34:56:78:9a (pool 192.168.1.100-192.168.1.199 exhausted, 7 DISCOVERs"
        + " unanswered so far); still serving", Story.sentence(new DhcpEvent.PoolExhausted("02:12:34:56:78:9a",
            "192.168.1.100", "192.168.1.199", 7)));
    assertEquals("ignores a DHCP message: options overrun (2 so far)",
        Story.sentence(new DhcpEvent.Ignored(null, "options_overrun", 2)));
    assertEquals("02:00:00:00:0a:01 took the offer of server 192.168.1.9; withdraws its own offer of 192.168.1.100",
        Story.sentence(new DhcpEvent.OtherServer("02:00:00:00:0a:01", "192.168.1.9", "192.168.1.100")));
    assertEquals("2d1h1m1s", DhcpStory.duration(2 * 86400 + 3661));
  }

  @Test
  void theClientSide() {
    assertEquals("broadcasts DHCP DISCOVER from 0.0.0.0:68 to 255.255.255.255:67 (it has no address yet)",
        Story.sentence(new DhcpEvent.ClientSent("eth0", "DISCOVER", "init", 1, "0.0.0.0", "255.255.255.255", null,
            null, 1)));
    assertEquals("sends DHCP REQUEST from 192.168.1.100:68 to 192.168.1.2:67: renews its lease of 192.168.1.100 with"
        + " the server that gave it (T1)", Story.sentence(new DhcpEvent.ClientSent("eth0", "REQUEST", "renewing", 1,
            "192.168.1.100", "192.168.1.2", "192.168.1.100", null, 1)));
    assertEquals("takes the first offer, from 192.168.1.2: 192.168.1.100 for 1h with gateway 192.168.1.1 and DNS"
        + " 192.168.1.53", Story.sentence(new DhcpEvent.ClientOffer("eth0", "192.168.1.2", "192.168.1.100", 3600,
            "192.168.1.1", List.of("192.168.1.53"), true, null)));
    assertEquals("no OFFER came: sends its DISCOVER again (attempt 2) after 4213 ms, backing off",
        Story.sentence(new DhcpEvent.ClientRetry("eth0", "DISCOVER", "an OFFER", 2, 4213)));
    assertEquals("configures 192.168.1.100/24 on eth0 from 192.168.1.2's lease, default route via 192.168.1.1,"
        + " resolver 192.168.1.53; renews after 30m (T1), rebinds after 52m30s (T2), expires after 1h",
        Story.sentence(new DhcpEvent.ClientBound("eth0", "192.168.1.100/24", "192.168.1.2", "192.168.1.1",
            List.of("192.168.1.53"), 3600, 1800, 3150, false)));
  }

  @Test
  void restartsLeaseFilesAndInitReboot() {
    assertEquals("reads its leases back from out/isp.dhcp-server.leases: 2 leases restored, 1 expired dropped, 1 outside"
        + " the pools and static bindings (or taken twice) dropped; skips 2 bad lines (line 3: 1 fields, not 5 (EXPIRY"
        + " MAC ADDRESS HOSTNAME CLIENT-ID); line 4: bad)", Story.sentence(new DhcpEvent.LeasesRestored(
            "out/isp.dhcp-server.leases", 2, 1, 1, 2, List.of("line 3: 1 fields, not 5 (EXPIRY MAC ADDRESS HOSTNAME"
                + " CLIENT-ID)", "line 4: bad"))));
    assertEquals("reads its leases back from f: 1 lease restored", Story.sentence(new DhcpEvent.LeasesRestored("f", 1,
        0, 0, 0, List.of())));
    assertEquals("lease file f: cannot write it: disk full; the leases stay in memory",
        Story.sentence(new DhcpEvent.LeaseFileError("f", "cannot write it: disk full; the leases stay in memory")));
    assertEquals("remembers 100.64.0.10/24 on eth0 from its lease file (leased by 100.64.0.1, 59m left): asks for it"
        + " again without DISCOVER (INIT-REBOOT, RFC 2131 3.2)", Story.sentence(new DhcpEvent.ClientReboot("eth0",
            "100.64.0.10/24", "100.64.0.1", 3540)));
    assertEquals("broadcasts DHCP REQUEST from 0.0.0.0:68 to 255.255.255.255:67 (it has no address yet): asks to keep"
        + " 100.64.0.10 after a restart (INIT-REBOOT: no server named, whichever server knows the lease answers)",
        Story.sentence(new DhcpEvent.ClientSent("eth0", "REQUEST", "init-reboot", 1, "0.0.0.0", "255.255.255.255",
            "100.64.0.10", null, 1)));
    assertEquals("no answer to 2 INIT-REBOOT REQUESTs for 100.64.0.10: does not use it unconfirmed; starts over with"
        + " DISCOVER, asking for it again", Story.sentence(new DhcpEvent.ClientRebootTimeout("eth0", "100.64.0.10", 2)));
    assertEquals("broadcasts DHCP DISCOVER from 0.0.0.0:68 to 255.255.255.255:67 (it has no address yet), asking for"
        + " 100.64.0.10 again", Story.sentence(new DhcpEvent.ClientSent("eth0", "DISCOVER", "init", 1, "0.0.0.0",
            "255.255.255.255", "100.64.0.10", null, 1)));
    assertEquals("sends DHCP REQUEST from 100.64.0.10:68 to 100.64.0.1:67: renews its lease of 100.64.0.10 with the"
        + " server that gave it, now (dhcp renew)", Story.sentence(new DhcpEvent.ClientSent("eth0", "REQUEST", "renew",
            1, "100.64.0.10", "100.64.0.1", "100.64.0.10", null, 1)));
  }

  @Test
  void aRogueSecondServerIsNamedBesideTheOneTaken() {
    assertEquals("takes the first offer, from 192.168.1.2: 192.168.1.100 for 1h with gateway 192.168.1.1",
        Story.sentence(new DhcpEvent.ClientOffer("eth0", "192.168.1.2", "192.168.1.100", 3600, "192.168.1.1", List.of(),
            true, null)));
    assertEquals("leaves the offer of 192.168.1.200 for 10m with gateway 192.168.1.3 from 192.168.1.3: it already took"
        + " 192.168.1.100 from another server", Story.sentence(new DhcpEvent.ClientOffer("eth0", "192.168.1.3",
            "192.168.1.200", 600, "192.168.1.3", List.of(), false, "192.168.1.100")));
  }

  @Test
  void theRelayAgentAndTheServerBehindIt() {
    assertEquals("DHCP relay agent on eth0 (192.168.1.1): passes clients' requests heard there to 192.168.5.53,"
        + " 192.168.5.54, adding option 82 (circuit-id eth0)", Story.sentence(new DhcpEvent.Relaying("eth0",
            "192.168.1.1", List.of("192.168.5.53", "192.168.5.54"), true)));
    assertEquals("relays 02:00:00:00:01:00 (client)'s DHCP DISCOVER heard on eth0 to 192.168.5.53:67, from"
        + " 192.168.5.1:67: giaddr 192.168.1.1 (its address on eth0, so the server picks that subnet's scope), hops 1,"
        + " option 82 circuit-id eth0, xid 0x38a65d4f", Story.sentence(new DhcpEvent.Relayed("eth0", "DISCOVER",
            "02:00:00:00:01:00", "client", 0x38a65d4fL, "192.168.5.53", "192.168.5.1", "192.168.1.1", true, 1,
            "eth0")));
    assertEquals("relays 02:00:00:00:01:00's DHCP REQUEST heard on eth0 to 192.168.5.53:67, from 192.168.5.1:67:"
        + " giaddr 10.1.1.1 (set by an earlier relay, left as is), hops 2, xid 0x1", Story.sentence(
            new DhcpEvent.Relayed("eth0", "REQUEST", "02:00:00:00:01:00", null, 1, "192.168.5.53", "192.168.5.1",
                "10.1.1.1", false, 2, null)));
    assertEquals("DHCP server on eth0 for 192.168.1.0/24 behind relay agents: pool 192.168.1.150-192.168.1.199,"
        + " leases of 1h", Story.sentence(new DhcpEvent.Serving("eth0", "192.168.1.0/24", "192.168.1.150",
            "192.168.1.199", 3600, true)));
    assertEquals("receives DHCP DISCOVER from 02:00:00:00:01:00 (client), relayed by 192.168.5.1:67 for the client on"
        + " 192.168.1.1's subnet (giaddr), to 192.168.5.53:67, xid 0x1, BROADCAST flag set", Story.sentence(
            new DhcpEvent.Received("eth0", "DISCOVER", "02:00:00:00:01:00", 1, "192.168.5.1", "192.168.5.53", null,
                "client", true, "192.168.1.1")));
    assertEquals("offers 192.168.1.100 for 1h with gateway 192.168.1.1 to 02:00:00:00:01:00, sent to the relay agent"
        + " at 192.168.1.1:67 (giaddr), which passes it to the client", Story.sentence(new DhcpEvent.Offered(
            "02:00:00:00:01:00", "192.168.1.100", 3600, "192.168.1.1", List.of(), "192.168.1.1", false,
            "192.168.1.1")));
    assertEquals("refuses (DHCP NAK, through the relay agent at 192.168.1.1) 02:00:00:00:01:00's request for"
        + " 10.0.0.5: wrong network", Story.sentence(new DhcpEvent.Naked("02:00:00:00:01:00", "10.0.0.5",
            "wrong network", "192.168.1.1")));
    assertEquals("passes server 192.168.5.53's DHCP OFFER of 192.168.1.100 to 02:00:00:00:01:00 on eth0, taking its"
        + " option 82 out, unicast to 192.168.1.100:68 at its MAC (no ARP: it cannot answer for that address yet)",
        Story.sentence(new DhcpEvent.RelayedReply("eth0", "OFFER", "02:00:00:00:01:00", "192.168.5.53",
            "192.168.1.100", "192.168.1.100", false, true)));
    assertEquals("passes server 192.168.5.53's DHCP NAK to 02:00:00:00:01:00 on eth0, broadcast to"
        + " 255.255.255.255:68 (no address to send it to)", Story.sentence(new DhcpEvent.RelayedReply("eth0", "NAK",
            "02:00:00:00:01:00", "192.168.5.53", null, "255.255.255.255", true, false)));
    assertEquals("drops a DHCP message from 02:00:00:00:01:00 instead of relaying it: too many hops (3 so far)",
        Story.sentence(new DhcpEvent.RelayDropped("02:00:00:00:01:00", "too_many_hops", 3)));
  }
}
