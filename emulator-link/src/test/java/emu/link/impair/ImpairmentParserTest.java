package emu.link.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The words users write, turned into impairments and back, and every way to get them wrong. */
class ImpairmentParserTest {
  private static Impairment parse(String... pairs) {
    return ImpairmentParser.apply(Impairment.NONE, words(pairs));
  }

  private static Map<String, String> words(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private static String error(String... pairs) {
    return assertThrows(IllegalArgumentException.class, () -> parse(pairs)).getMessage();
  }

  @Test
  void noneIsAllDefaults() {
    Impairment n = Impairment.NONE;
    assertTrue(n.isNone());
    assertEquals(Map.of(), n.toWords());
    assertEquals(Distribution.UNIFORM, n.distribution());
    assertEquals(1000, n.limitPackets());
    assertEquals(n, ImpairmentParser.apply(n, Map.of()));
    assertEquals(List.of("delay", "jitter", "delay-correlation", "distribution", "loss", "loss-correlation",
        "loss-gemodel", "duplicate", "duplicate-correlation", "corrupt", "corrupt-correlation", "reorder",
        "reorder-correlation", "gap", "rate", "limit", "limit-bytes", "mtu", "down"), ImpairmentParser.PARAMETERS);
  }

  @Test
  void everyWord() {
    Impairment i = parse("delay", "20ms", "jitter", "5ms", "delay-correlation", "25%", "distribution", "normal",
        "loss", "1.5%", "loss-correlation", "10%", "duplicate", "2%", "duplicate-correlation", "3%",
        "corrupt", "0.1%", "corrupt-correlation", "4%", "reorder", "25%", "reorder-correlation", "50%", "gap", "5",
        "rate", "10mbit", "limit", "100", "limit-bytes", "64k", "mtu", "1400", "down", "true");
    assertEquals(20_000_000L, i.delayNanos());
    assertEquals(5_000_000L, i.jitterNanos());
    assertEquals(0.25, i.delayCorrelation());
    assertEquals(Distribution.NORMAL, i.distribution());
    assertEquals(0.015, i.loss());
    assertEquals(0.10, i.lossCorrelation());
    assertNull(i.lossModel());
    assertEquals(0.02, i.duplicate());
    assertEquals(0.03, i.duplicateCorrelation());
    assertEquals(0.001, i.corrupt());
    assertEquals(0.04, i.corruptCorrelation());
    assertEquals(0.25, i.reorder());
    assertEquals(0.5, i.reorderCorrelation());
    assertEquals(5, i.reorderGap());
    assertEquals(10_000_000L, i.rateBitsPerSecond());
    assertEquals(100, i.limitPackets());
    assertEquals(65_536L, i.limitBytes());
    assertEquals(1400, i.mtu());
    assertTrue(i.down());
    assertFalse(i.isNone());
  }

  @ParameterizedTest
  @CsvSource({"7ns,7", "3us,3000", "3µs,3000", "20ms,20000000", "1.5ms,1500000", "2s,2000000000",
      "0.5s,500000000", "0,0", "0ms,0", " 20ms ,20000000", "20 ms,20000000", "20MS,20000000"})
  void times(String word, long nanos) {
    assertEquals(nanos, parse("delay", word).delayNanos());
    assertEquals(nanos, parse("jitter", word).jitterNanos());
  }

  @Test
  void badTimes() {
    assertTrue(error("delay", "20").startsWith("delay: '20' has no unit; write '20ms'"));
    assertTrue(error("jitter", "2.5").startsWith("jitter: '2.5' has no unit; write '2.5ms'"));
    assertTrue(error("delay", "20m").startsWith("delay: '20m' is not a time; expected a number with a unit"));
    assertTrue(error("delay", "-5ms").startsWith("delay: '-5ms' is not a time"));
    assertTrue(error("delay", "fast").startsWith("delay: 'fast' is not a time"));
    assertTrue(error("delay", "4000s").startsWith("delay: '4000s' is too long"));
  }

  @Test
  void bareDelaySuggestsMilliseconds() {
    String m = error("delay", "20");
    assertTrue(m.contains("delay") && m.contains("'20'") && m.contains("20ms") && m.contains("microseconds"), m);
  }

  @ParameterizedTest
  @CsvSource({"5%,0.05", "0.5%,0.005", "100%,1", "0%,0", "0,0", "7%,0.07", "33.3%,0.333"})
  void percentages(String word, double p) {
    assertEquals(p, parse("loss", word).loss());
    assertEquals(p, parse("duplicate", word).duplicate());
  }

  @Test
  void badPercentages() {
    assertEquals("loss: '150%' is not a percentage between 0% and 100%", error("loss", "150%"));
    assertEquals("loss: '-1%' is not a percentage between 0% and 100%", error("loss", "-1%"));
    assertEquals("loss: '5' is not a percentage; write '5%' (between 0% and 100%)", error("loss", "5"));
    assertEquals("corrupt-correlation: 'lots' is not a percentage between 0% and 100%",
        error("corrupt-correlation", "lots"));
  }

  @Test
  void distributions() {
    for (Distribution d : Distribution.values()) {
      assertEquals(d, parse("distribution", d.word()).distribution());
    }
    assertEquals("uniform", Distribution.UNIFORM.word());
    assertEquals("paretonormal", Distribution.PARETONORMAL.word());
    String m = error("distribution", "gaussian");
    assertTrue(m.startsWith("distribution: 'gaussian' is not a distribution") && m.contains("paretonormal"), m);
  }

  @ParameterizedTest
  @CsvSource({"1bit,1", "64kbit,64000", "10mbit,10000000", "1.5mbit,1500000", "1gbit,1000000000",
      "2tbit,2000000000000", "10Mbit,10000000", "none,0", "off,0"})
  void rates(String word, long bits) {
    assertEquals(bits, parse("rate", word).rateBitsPerSecond());
  }

  @Test
  void bytesPerSecondIsRefusedAsAmbiguous() {
    assertEquals("rate: '10mbps' is ambiguous (tc reads bps as bytes per second); write 10mbit or 80mbit",
        error("rate", "10mbps"));
    assertEquals("rate: '100kbps' is ambiguous (tc reads bps as bytes per second); write 100kbit or 800kbit",
        error("rate", "100kbps"));
    assertTrue(error("rate", "1000bps").contains("1000bit or 8000bit"));
    assertTrue(error("rate", "1.5gbps").contains("1.5gbit or 12gbit"));
  }

  @Test
  void badRates() {
    assertTrue(error("rate", "1000000").startsWith("rate: '1000000' has no unit"));
    assertTrue(error("rate", "10mibit").startsWith("rate: '10mibit' is not a rate in bit, kbit"));
    assertTrue(error("rate", "0.5bit").startsWith("rate: '0.5bit' is out of range"));
    assertTrue(error("rate", "0mbit").startsWith("rate: '0mbit' is zero; a rate must be more than 0"));
    assertTrue(error("rate", "0").startsWith("rate: '0' is zero"));
    assertTrue(error("rate", "-5mbit").startsWith("rate: '-5mbit' is negative"));
    assertEquals(0, parse("rate", "none").rateBitsPerSecond());
    assertTrue(error("rate", "fast").startsWith("rate: 'fast' is not"));
  }

  @Test
  void integersAndByteCounts() {
    assertEquals(0, parse("gap", "0").reorderGap());
    assertEquals(7, parse("gap", "7").reorderGap());
    assertEquals(1, parse("limit", "1").limitPackets());
    assertEquals(123, parse("limit-bytes", "123").limitBytes());
    assertEquals(2 << 20, parse("limit-bytes", "2m").limitBytes());
    assertEquals(1L << 30, parse("limit-bytes", "1g").limitBytes());
    assertEquals(1500, parse("limit-bytes", "1500").limitBytes());
    assertTrue(error("gap", "-1").startsWith("gap: '-1' is not an integer >= 0"));
    assertTrue(error("gap", "2.5").startsWith("gap: '2.5' is not"));
    assertTrue(error("limit", "0").startsWith("limit: '0' is not a number of packets >= 1"));
    assertTrue(error("limit", "many").startsWith("limit: 'many' is not"));
    assertTrue(error("limit-bytes", "64kb").startsWith("limit-bytes: '64kb' is not a byte count"));
    assertTrue(error("limit-bytes", "1.5k").startsWith("limit-bytes: '1.5k' is not a byte count"));
  }

  @Test
  void mtuAndDown() {
    assertEquals(68, parse("mtu", "68").mtu());
    assertEquals(65000, parse("mtu", "65000").mtu());
    assertEquals(0, parse("mtu", "0").mtu());
    assertTrue(error("mtu", "67").startsWith("mtu: '67' is not an MTU; expected an integer between 68 and 65000"));
    assertTrue(error("mtu", "65001").startsWith("mtu: '65001' is not an MTU"));
    assertTrue(error("mtu", "big").startsWith("mtu: 'big' is not"));
    assertTrue(parse("down", "true").down());
    assertTrue(parse("down", "TRUE").down());
    assertFalse(parse("down", "false").down());
    assertEquals("down: 'yes' is not true or false", error("down", "yes"));
  }

  @Test
  void unknownWordListsTheAllowedOnes() {
    String m = error("latency", "20ms");
    assertTrue(m.startsWith("unknown impairment parameter 'latency'; allowed: delay, jitter,"), m);
    assertTrue(m.endsWith("limit-bytes, mtu, down"), m);
  }

  @Test
  void emptyValueIsRefused() {
    assertEquals("delay: no value given", error("delay", " "));
    assertEquals("loss: no value given", error("loss", null));
  }

  @Test
  void gilbertElliottWithNetemDefaults() {
    GilbertElliott full = parse("loss-gemodel", "1% 30% 70% 0.1%").lossModel();
    assertEquals(new GilbertElliott(0.01, 0.3, 0.7, 0.001), full);
    assertEquals(new GilbertElliott(0.01, 0.99, 1, 0), parse("loss-gemodel", "1%").lossModel());
    assertEquals(new GilbertElliott(0.01, 0.3, 1, 0), parse("loss-gemodel", "1% 30%").lossModel());
    assertEquals(new GilbertElliott(0.01, 0.3, 0.7, 0), parse("loss-gemodel", "1% 30% 70%").lossModel());
    assertEquals(0, parse("loss-gemodel", "1%").loss());
    assertTrue(error("loss-gemodel", "1% 300%").startsWith("loss-gemodel: '1% 300%' is not valid: r '300%'"));
    assertTrue(error("loss-gemodel", "1 30%").startsWith("loss-gemodel: '1 30%' is not valid: p '1'"));
    assertTrue(error("loss-gemodel", "1% 2% 3% 4% 5%").startsWith("loss-gemodel: '1% 2% 3% 4% 5%' has 5 values"));
  }

  @Test
  void lossAndGilbertElliottReplaceEachOther() {
    Impairment ge = parse("loss", "5%", "loss-correlation", "25%");
    ge = ImpairmentParser.apply(ge, Map.of("loss-gemodel", "1% 10%"));
    assertEquals(0, ge.loss());
    assertEquals(new GilbertElliott(0.01, 0.1, 1, 0), ge.lossModel());
    Impairment random = ImpairmentParser.apply(ge, Map.of("loss", "2%"));
    assertNull(random.lossModel());
    assertEquals(0.02, random.loss());
    assertNull(ImpairmentParser.apply(ge, Map.of("loss-gemodel", "none")).lossModel());
    assertNull(ImpairmentParser.apply(ge, Map.of("loss-gemodel", "0%")).lossModel());
    assertTrue(error("loss", "1%", "loss-gemodel", "1%").startsWith("loss: cannot be set together with loss-gemodel"));
  }

  @Test
  void partialUpdateKeepsTheOtherValues() {
    Impairment base = parse("delay", "20ms", "jitter", "5ms", "rate", "10mbit");
    Impairment more = ImpairmentParser.apply(base, Map.of("loss", "5%"));
    assertEquals(20_000_000L, more.delayNanos());
    assertEquals(5_000_000L, more.jitterNanos());
    assertEquals(10_000_000L, more.rateBitsPerSecond());
    assertEquals(0.05, more.loss());
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("delay", "20ms");
    expected.put("jitter", "5ms");
    expected.put("loss", "5%");
    expected.put("rate", "10mbit");
    assertEquals(expected, more.toWords());
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(more.toWords().keySet()), "stable order");
  }

  /** Mininet could not set loss back to zero; every value here can go back to zero (or off). */
  @Test
  void settingZeroClears() {
    Impairment all = parse("delay", "20ms", "jitter", "5ms", "loss", "5%", "duplicate", "1%", "corrupt", "1%",
        "rate", "1mbit", "limit-bytes", "64k", "mtu", "1400", "down", "true");
    Impairment cleared = ImpairmentParser.apply(all, words("delay", "0", "jitter", "0ms", "loss", "0%",
        "duplicate", "0%", "corrupt", "0", "rate", "none", "limit-bytes", "0", "mtu", "0", "down", "false"));
    assertEquals(Impairment.NONE, cleared);
    assertTrue(cleared.isNone());
  }

  @Test
  void reorderNeedsADelay() {
    String m = error("reorder", "25%");
    assertTrue(m.startsWith("reorder: '25%' needs a delay: packets are reordered by sending some without the "
        + "delay the others get"), m);
    // Fine together, in one call or one after the other; removing the delay later is refused.
    Impairment r = parse("reorder", "25%", "delay", "10ms");
    assertEquals(0.25, r.reorder());
    assertThrows(IllegalArgumentException.class, () -> ImpairmentParser.apply(r, Map.of("delay", "0")));
    assertEquals(0, ImpairmentParser.apply(r, Map.of("delay", "0", "reorder", "0%")).reorder());
  }

  @Test
  void jitterWithoutDelayAndCorrelationWithoutBaseAreAllowed() {
    assertEquals(5_000_000L, parse("jitter", "5ms").jitterNanos());
    Impairment c = parse("loss-correlation", "25%", "delay-correlation", "10%");
    assertEquals(0.25, c.lossCorrelation());
    assertTrue(c.isNone(), "a correlation alone changes nothing");
  }

  @Test
  void toWordsRoundTripsThroughApply() {
    List<Impairment> cases = List.of(
        parse("delay", "20ms", "jitter", "5ms", "loss", "5%"),
        parse("delay", "1.5ms", "jitter", "7ns", "delay-correlation", "33.3%", "distribution", "pareto",
            "reorder", "12.5%", "reorder-correlation", "1%", "gap", "3"),
        parse("loss-gemodel", "1% 30% 70% 0.1%", "loss-correlation", "10%", "duplicate", "0.01%",
            "duplicate-correlation", "5%", "corrupt", "100%", "corrupt-correlation", "99.999%"),
        parse("rate", "1.5mbit", "limit", "64", "limit-bytes", "1500", "mtu", "9000", "down", "true"),
        parse("rate", "123456789bit", "limit-bytes", "3m", "delay", "2s"),
        new Impairment(1, 3, 1.0 / 3, Distribution.PARETONORMAL, 0.07, 0.1 + 0.2, null, 1e-9, 0, 0.123456789, 0,
            0, 0, 0, 7, 1, 1025, 68, false));
    for (Impairment i : cases) {
      Map<String, String> w = i.toWords();
      assertEquals(i, ImpairmentParser.apply(Impairment.NONE, w), w.toString());
      assertEquals(w, ImpairmentParser.apply(Impairment.NONE, w).toWords());
    }
    assertEquals(Map.of("delay", "1500us"), parse("delay", "1.5ms").toWords());
    assertEquals(Map.of("loss-gemodel", "1% 99% 100% 0%"), parse("loss-gemodel", "1%").toWords());
    assertEquals(Map.of("limit-bytes", "64k"), parse("limit-bytes", "65536").toWords());
  }

  @Test
  void recordRefusesOutOfRangeValues() {
    assertThrows(IllegalArgumentException.class, () -> new GilbertElliott(1.5, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Impairment(-1, 0, 0, Distribution.UNIFORM, 0, 0, null,
        0, 0, 0, 0, 0, 0, 0, 0, 1000, 0, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new Impairment(0, 0, 0, Distribution.UNIFORM, Double.NaN, 0,
        null, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 0, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new Impairment(0, 0, 0, Distribution.UNIFORM, 0, 0, null,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false));
  }

  @Test
  void isNoneOnlyWhenNothingWouldChange() {
    assertFalse(parse("delay", "1ns").isNone());
    assertFalse(parse("jitter", "1ns").isNone());
    assertFalse(parse("loss", "0.001%").isNone());
    assertFalse(parse("loss-gemodel", "1%").isNone());
    assertFalse(parse("duplicate", "1%").isNone());
    assertFalse(parse("corrupt", "1%").isNone());
    assertFalse(parse("rate", "1gbit").isNone());
    assertFalse(parse("mtu", "1400").isNone());
    assertFalse(parse("down", "true").isNone());
    assertTrue(parse("limit", "5", "limit-bytes", "1k", "gap", "3", "distribution", "pareto").isNone());
  }
}
