package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane learns a node's ports from the READY line of its latest launch only: an
 * earlier run's line in the same log (whose port anyone may hold by now) and a line still being
 * written do not count.
 */
class ReadyLineTest {
  @Test
  void onlyTheLatestLaunchsCompleteLineCounts(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("h2.log");
    Files.writeString(log, "READY h2 pid=1 mgmt=127.0.0.1:40000 transport=epoll links=eth0:41000 started_ms=9\n");
    long from = Files.size(log);
    assertNull(ReadyLine.find(log, from, "h2"), "the first run's line is before this launch");
    Files.writeString(log, "node h2: UDP 127.0.0.1:41000 for eth0 is taken (in use); bound port 52000 instead\n"
        + "READY h2 pid=2 mgmt=127.0.0.1:45000 transport=epoll links=eth0:52000", StandardOpenOption.APPEND);
    assertNull(ReadyLine.find(log, from, "h2"), "a line without its end is still being written");
    Files.writeString(log, ",eth1:52001 started_ms=8\n", StandardOpenOption.APPEND);
    assertNull(ReadyLine.find(log, from, "h"), "another node's name");
    ReadyLine r = ReadyLine.parse(ReadyLine.find(log, from, "h2"));
    assertEquals(45000, r.mgmtPort());
    assertEquals(Map.of("eth0", 52000, "eth1", 52001), r.links());
    assertEquals(Map.of(), ReadyLine.parse("READY h1 pid=3 mgmt=[::1]:4000 transport=nio").links());
    assertThrows(IllegalArgumentException.class, () -> ReadyLine.parse("READY h1 pid=3 mgmt=127.0.0.1:0"));
    assertNull(ReadyLine.find(dir.resolve("none.log"), 0, "h2"), "no log yet");
  }

  @Test
  void aLineTheJvmStartedWithItsOwnWordsStillCounts(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("jvm.sw1.log");
    // -XX:+PrintCompilation writes a compilation's number and tier, then its method: a node's
    // READY line came between the two
    Files.writeString(log, "   5545 3437       3       java.lang.String::hashCode (60 bytes)\n"
        + "   5546 3438       2      READY dns pid=7 mgmt=127.0.0.1:42151 transport=epoll links=eth0:38470\n"
        + "io.netty.buffer.AbstractByteBuf::getByte (15 bytes)\n"
        + "KILLED h10\n   7 12   3   KILLED h1\n");
    assertEquals(42151, ReadyLine.parse(ReadyLine.find(log, 0, "dns")).mgmtPort());
    assertEquals("READY dns pid=7 mgmt=127.0.0.1:42151 transport=epoll links=eth0:38470",
        ReadyLine.find(log, 0, "dns"));
    assertEquals("KILLED h1", ReadyLine.findLine(log, 0, "KILLED h1"), "after others, and not KILLED h10");
    assertNull(ReadyLine.find(log, 0, "d"), "a word is matched whole");
    assertNull(ReadyLine.findLine(log, 0, "ADY dns"), "from a word's start only");
  }
}
