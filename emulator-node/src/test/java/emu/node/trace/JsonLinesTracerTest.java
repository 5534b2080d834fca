package emu.node.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emu.link.time.VirtualTime;
import emu.node.event.EventCodec;
import emu.node.event.TraceMeta;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a node's events reach its file: with the node's loop, in one write once the loop is done
 * with what it is handling (not a write per event on the packet path), and before anything queued
 * after it runs; without one, line by line.
 */
class JsonLinesTracerTest {
  @TempDir
  Path dir;

  private final EventLoop loop = new DefaultEventLoop();

  @AfterEach
  void stop() {
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void onTheLoopTheLinesOfOneTurnGoOutTogetherRightAfterIt() throws Exception {
    Path file = dir.resolve("n.events.jsonl");
    JsonLinesTracer t = new JsonLinesTracer(file, "n", new VirtualTime(), 100, loop);
    long during = loop.submit(() -> {
      for (int i = 0; i < 3; i++) {
        t.emit(new TraceMeta.Truncated(i));
      }
      return Files.size(file);
    }).get();
    assertEquals(0, during, "nothing written while the loop handles the frame");
    // anything queued after that turn (an answer to the control plane, say) finds the lines there
    List<String> after = loop.submit(() -> Files.readAllLines(file)).get();
    assertEquals(3, after.size(), after::toString);
    for (int i = 0; i < 3; i++) {
      var s = EventCodec.read(after.get(i));
      assertEquals(i, s.seq());
      assertEquals(new TraceMeta.Truncated(i), s.event());
    }
    loop.submit(t::close).get();
  }

  @Test
  void withoutALoopEachLineIsWrittenAsItComes() throws Exception {
    Path file = dir.resolve("c.events.jsonl");
    try (JsonLinesTracer t = new JsonLinesTracer(file, "control", new VirtualTime(), 100)) {
      t.emit(new TraceMeta.Truncated(7));
      assertEquals(1, Files.readAllLines(file).size());
      t.emit(new TraceMeta.Truncated(8));
      assertEquals(2, Files.readAllLines(file).size());
    }
  }

  @Test
  void aFlushQueuedBeforeTheCloseDoesNothingAfterIt() throws Exception {
    Path file = dir.resolve("x.events.jsonl");
    JsonLinesTracer t = new JsonLinesTracer(file, "x", new VirtualTime(), 100, loop);
    loop.submit(() -> {
      t.emit(new TraceMeta.Truncated(1));
      t.flush(); // what a node's close does: flush, then close, within the same turn
      t.close();
    }).get();
    loop.submit(() -> { }).get(); // the queued flush has run, on a closed file
    assertEquals(1, Files.readAllLines(file).size());
    assertEquals(0, t.suppressed(), "no failure counted for the late flush");
  }
}
