package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.config.DnsConfig;
import emu.node.testing.LabNode;
import emu.node.testing.VirtualLab;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Zone;

/** Zone files as the control plane checks them: errors name the file and the line. */
class DnsZonesTest {
  private static final String HEAD = """
      $TTL 300
      @       IN SOA ns1 hostmaster 1 3600 600 86400 60
              IN NS  ns1
      ns1     IN A   192.168.5.53
      """;

  @Test
  void aGoodZoneParses() {
    Zone z = DnsZones.parse("corp.com", "corp.com.zone", DnsLab.CORP_ZONE);
    assertEquals(Name.fromConstantString("corp.com."), z.getOrigin());
    assertEquals(60, z.getSOA().getMinimum());
    DnsZones.check("5.168.192.in-addr.arpa.", "rev.zone", DnsLab.REVERSE_ZONE);
  }

  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of(HEAD + "payroll IN A   300.1.1.1\n", "corp.com.zone:5: Invalid address: 300.1.1.1"),
        Arguments.of(HEAD + "\n\nfoo     IN BOGUS 1\n", "corp.com.zone:7: Invalid type 'BOGUS'"),
        Arguments.of(HEAD + "www     IN TXT \"unterminated\n", "corp.com.zone:5: newline in quoted string"),
        Arguments.of(HEAD + "$INCLUDE /etc/passwd\n",
            "corp.com.zone:5: $INCLUDE encountered, but processing disabled in strict mode"),
        Arguments.of("$TTL 300\n@ IN SOA ns1 hostmaster ( 1 3600\n 600 86400 60 \n@ NS ns1\n",
            "corp.com.zone:4: unexpected tokens at end of record (wanted EOL/EOF, got <identifier: @>)"),
        Arguments.of(HEAD + "mail    IN MX  mail\n", "corp.com.zone:5: expected an integer"),
        // Records that end too early: dnsjava's tokenizer has counted the newline already.
        Arguments.of(HEAD + "payroll IN A\nafter IN A 1.2.3.4\n", "corp.com.zone:5: expected an address"),
        Arguments.of(HEAD + "mail    IN MX 10\n\n", "corp.com.zone:5: expected a name"),
        Arguments.of(HEAD + "x\n", "corp.com.zone:5: expected a string"),
        Arguments.of(HEAD + "\n; comment\nx IN CNAME\ny IN A 1.2.3.4\n", "corp.com.zone:7: expected a name"),
        Arguments.of(HEAD + "payroll IN A", "corp.com.zone:5: expected an address"),
        Arguments.of(HEAD + "$FOO bar\n", "corp.com.zone:5: Invalid directive: $FOO"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("broken")
  void syntaxErrorsNameTheFileAndLine(String text, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DnsZones.check("corp.com.", "corp.com.zone", text));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
    assertTrue(e.getMessage().matches("corp\\.com\\.zone:\\d+: .+"), e.getMessage());
  }

  static Stream<Arguments> wholeZone() {
    return Stream.of(
        Arguments.of("$TTL 300\nns1 IN A 1.2.3.4\n",
            "corp.com.zone: zone corp.com.: no records at the origin (it needs an SOA and NS records)"),
        Arguments.of("$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\nns1 IN A 1.2.3.4\n",
            "corp.com.zone: zone corp.com.: no NS records at the origin"),
        Arguments.of(HEAD + "www.example.org. IN A 1.2.3.4\n",
            "corp.com.zone: www.example.org. is outside the zone corp.com. (out-of-zone data; is there a stray final"
                + " dot?)"),
        Arguments.of(HEAD + "www IN CNAME ns1\nwww IN A 1.2.3.4\n",
            "corp.com.zone: www.corp.com. has a CNAME and other data (RFC 1034 3.6.2: a CNAME must be alone at its"
                + " name)"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("wholeZone")
  void problemsOfTheWholeZoneNameTheFile(String text, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DnsZones.check("corp.com.", "corp.com.zone", text));
    assertEquals(message, e.getMessage());
  }

  @Test
  void badOriginAndMissingText() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsZones.check("a..b", "x.zone", HEAD))
        .getMessage().startsWith("x.zone: bad zone origin 'a..b'"));
    assertEquals("x.zone: the zone corp.com. has no text",
        assertThrows(IllegalArgumentException.class, () -> DnsZones.check("corp.com", "x.zone", null)).getMessage());
  }

  @Test
  void theServerRefusesToStartWithABrokenZoneOrConfiguration() {
    try (VirtualLab lab = new VirtualLab(1)) {
      LabNode ns = lab.host("ns");
      lab.tap(ns, "eth0", "02:00:00:00:00:01", "10.0.0.1/24");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lab.dnsServer(ns,
          new DnsConfig(DnsConfig.AUTHORITATIVE, List.of(new DnsConfig.Zone("corp.com.", "corp.com.zone",
              HEAD + "payroll IN A 300.1.1.1\n")), null)));
      assertEquals("corp.com.zone:5: Invalid address: 300.1.1.1", e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> lab.dnsServer(ns, new DnsConfig("recursive", null, null)));
      assertThrows(IllegalArgumentException.class, () -> lab.dnsServer(ns,
          new DnsConfig(DnsConfig.FORWARDER, null, "not-an-address")));
      assertThrows(IllegalArgumentException.class, () -> lab.dnsServer(ns,
          new DnsConfig(DnsConfig.AUTHORITATIVE, List.of(), null)));
      DnsServer first = lab.dnsServer(ns, new DnsConfig(DnsConfig.FORWARDER, null, "10.0.0.2"));
      IllegalStateException busy = assertThrows(IllegalStateException.class,
          () -> lab.dnsServer(ns, new DnsConfig(DnsConfig.FORWARDER, null, "10.0.0.2")));
      assertTrue(busy.getMessage().contains("port 53"), busy.getMessage());
      first.stop();
      lab.dnsServer(ns, new DnsConfig(DnsConfig.FORWARDER, null, "10.0.0.2")).stop(); // the port is free again
    }
  }
}
