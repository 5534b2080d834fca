package emu.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.time.VirtualTime;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The cache alone, on a virtual clock. */
class DnsCacheTest {
  private static final Name WWW = Name.fromConstantString("www.corp.com.");
  private static final Name ZONE = Name.fromConstantString("corp.com.");

  private final VirtualTime time = new VirtualTime();
  private final DnsCache cache = new DnsCache(time, 3, 86_400, 3_600);

  private static Message response(Name name, int rcode) {
    Message m = new Message(7);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setRcode(rcode);
    m.addRecord(Record.newRecord(name, Type.A, DClass.IN), Section.QUESTION);
    return m;
  }

  private static Message positive(Name name, long... ttls) throws Exception {
    Message m = response(name, Rcode.NOERROR);
    for (int i = 0; i < ttls.length; i++) {
      m.addRecord(new ARecord(name, DClass.IN, ttls[i], InetAddress.getByName("10.0.0." + (i + 1))), Section.ANSWER);
    }
    return m;
  }

  private static SOARecord soa(long ttl, long minimum) {
    return new SOARecord(ZONE, DClass.IN, ttl, Name.fromConstantString("ns1.corp.com."),
        Name.fromConstantString("hostmaster.corp.com."), 1, 3600, 600, 86400, minimum);
  }

  @Test
  void positiveAnswersLiveAsLongAsTheirSmallestTtlAndCountDown() throws Exception {
    assertEquals(100, cache.put(positive(WWW, 300, 100)));
    time.advance(40_000_000_000L);
    DnsCache.Hit hit = cache.get(WWW, Type.A, DClass.IN);
    assertNotNull(hit);
    assertEquals(40, hit.ageSeconds());
    assertEquals(60, hit.remainingSeconds());
    assertEquals(260, hit.message().getSection(Section.ANSWER).get(0).getTTL());
    assertEquals(60, hit.message().getSection(Section.ANSWER).get(1).getTTL());
    assertEquals(WWW, hit.message().getQuestion().getName());
    time.advance(60_000_000_000L);
    assertNull(cache.get(WWW, Type.A, DClass.IN));
    assertEquals(0, cache.size());
  }

  @Test
  void negativeAnswersLiveForTheSmallerOfSoaTtlAndMinimum() {
    Message nx = response(WWW, Rcode.NXDOMAIN);
    nx.addRecord(soa(300, 60), Section.AUTHORITY);
    assertEquals(60, cache.put(nx));
    Message nodata = response(ZONE, Rcode.NOERROR);
    nodata.addRecord(soa(30, 60), Section.AUTHORITY);
    assertEquals(30, cache.put(nodata));
    time.advance(20_000_000_000L);
    DnsCache.Hit hit = cache.get(WWW, Type.A, DClass.IN);
    assertTrue(hit.negative());
    assertEquals(Rcode.NXDOMAIN, hit.message().getRcode());
    assertEquals(40, hit.message().getSection(Section.AUTHORITY).get(0).getTTL());
    assertEquals(10, cache.get(ZONE, Type.A, DClass.IN).message().getSection(Section.AUTHORITY).get(0).getTTL());
  }

  @Test
  void whatIsNotCached() throws Exception {
    assertEquals(-1, cache.put(response(WWW, Rcode.SERVFAIL)));
    assertEquals(-1, cache.put(response(WWW, Rcode.NXDOMAIN)), "negative without an SOA (RFC 2308 5)");
    Message referral = response(WWW, Rcode.NOERROR);
    referral.addRecord(new NSRecord(ZONE, DClass.IN, 300, Name.fromConstantString("ns1.corp.com.")),
        Section.AUTHORITY);
    assertEquals(-1, cache.put(referral));
    assertEquals(-1, cache.put(positive(WWW, 0)), "TTL 0: use once");
    Message tc = positive(WWW, 300);
    tc.getHeader().setFlag(Flags.TC);
    assertEquals(-1, cache.put(tc));
    assertEquals(0, cache.size());
  }

  @Test
  void theLeastRecentlyUsedGoWhenFull() throws Exception {
    for (String n : new String[] {"a", "b", "c"}) {
      cache.put(positive(Name.fromConstantString(n + ".corp.com."), 300));
    }
    cache.get(Name.fromConstantString("a.corp.com."), Type.A, DClass.IN);
    cache.put(positive(Name.fromConstantString("d.corp.com."), 300));
    assertEquals(3, cache.size());
    assertNotNull(cache.get(Name.fromConstantString("a.corp.com."), Type.A, DClass.IN));
    assertNull(cache.get(Name.fromConstantString("b.corp.com."), Type.A, DClass.IN));
  }

  @Test
  void ttlsAreCappedAndKeysIgnoreCase() throws Exception {
    assertEquals(86_400, cache.put(positive(WWW, 7 * 86_400)));
    assertNotNull(cache.get(Name.fromConstantString("WWW.Corp.COM."), Type.A, DClass.IN));
    assertNull(cache.get(WWW, Type.AAAA, DClass.IN));
  }
}
