package emu.control.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import emu.control.controller.LabController;
import emu.control.lab.LabStats;
import emu.control.narrative.BridgeNames;
import emu.control.narrative.EventLog;
import emu.control.narrative.Story;
import emu.control.report.Ladder;
import emu.control.state.LabState;
import emu.control.topology.FaultSpec;
import emu.node.event.Stamped;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the console's page is pushed once a second, as {@code text/event-stream} messages (one JSON
 * object each): the lab's status (nodes and their state, links with their impairments and state,
 * the partition, the fault plan and its results), every node's counters (the page turns two
 * samples into rates), the narrative lines written since the last message, and the ladder of the
 * last frames when it changed. It runs only while a page is connected: the lab pays nothing
 * otherwise. A page that does not keep up misses messages (a channel that is not writable is
 * skipped), it never makes the others wait or memory grow.
 */
final class ConsoleFeed implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final long PERIOD_MS = 1000;
  /** Narrative lines kept for a page that connects later, and events kept for the ladder. */
  private static final int BACKLOG = 400;
  private static final int LADDER_EVENTS = 300;
  /**
   * Narrative lines a message carries at most: a bulk transfer narrates thousands of segments a
   * second, which no one reads live; the message says how many it left out.
   */
  private static final int LINES_PER_MESSAGE = 200;
  /** How long the counters may take: less than the period, so that messages keep coming. */
  private static final Duration STATS_TIMEOUT = Duration.ofMillis(800);
  /** The ladder is redrawn at most this often (it is the costliest part). */
  private static final long LADDER_EVERY_MS = 3000;

  private final LabController controller;
  private final EventLog events;
  private final ArrayDeque<ObjectNode> narrative = new ArrayDeque<>();
  private final ArrayDeque<Stamped> recent = new ArrayDeque<>();
  private final Set<Channel> pages = ConcurrentHashMap.newKeySet();
  private final Set<Channel> fresh = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "emu-console-feed");
    t.setDaemon(true);
    return t;
  });
  private ScheduledFuture<?> ticking;
  private String ladder = "";
  private boolean ladderStale;
  private long ladderAt;

  ConsoleFeed(LabController controller, Path outDir) {
    this.controller = controller;
    List<String> nodes = new ArrayList<>(controller.lab().state().nodes().stream().map(LabState.NodeState::name)
        .toList());
    nodes.add(LabController.NODE);
    this.events = new EventLog(outDir, nodes).naming(BridgeNames.read(controller.lab().state().nodes().stream()
        .filter(n -> n.config() != null).map(n -> Path.of(n.config())).toList()));
  }

  /** Sends {@code page} a message every period from now on, until it closes. */
  synchronized void subscribe(Channel page) {
    pages.add(page);
    fresh.add(page);
    page.closeFuture().addListener(f -> unsubscribe(page));
    if (ticking == null) {
      ticking = timer.scheduleWithFixedDelay(this::tick, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void unsubscribe(Channel page) {
    pages.remove(page);
    fresh.remove(page);
    if (pages.isEmpty() && ticking != null) {
      ticking.cancel(false);
      ticking = null;
    }
  }

  private void tick() {
    try {
      ObjectNode m = snapshot();
      ArrayNode lines = narrativeSince();
      String svg = ladder(m.path("status"));
      m.set("narrative", lines);
      for (Channel page : List.copyOf(pages)) {
        ObjectNode msg = m;
        if (fresh.remove(page)) { // a page that just connected gets what came before
          msg = m.deepCopy();
          ArrayNode all = msg.putArray("narrative");
          synchronized (narrative) {
            narrative.forEach(all::add);
          }
          msg.put("backlog", true);
          msg.put("ladder", ladder);
        } else if (svg != null) {
          msg = m.deepCopy();
          msg.put("ladder", svg);
        }
        if (page.isWritable()) { // else a slow page misses this message; never buffered without end
          byte[] b = ("data: " + JSON.writeValueAsString(msg) + "\n\n").getBytes(StandardCharsets.UTF_8);
          page.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(b)));
        }
      }
    } catch (RuntimeException | java.io.IOException e) {
      // one bad sample must not end the feed: the next tick tries again; the page shows the error
      for (Channel page : List.copyOf(pages)) {
        byte[] b = ("data: {\"error\":" + JSON.valueToTree(String.valueOf(e)) + "}\n\n").getBytes(
            StandardCharsets.UTF_8);
        page.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(b)));
      }
    }
  }

  /** Status, counters and the fault plan's timeline. */
  private ObjectNode snapshot() {
    ObjectNode m = JSON.createObjectNode();
    m.put("t", System.currentTimeMillis());
    JsonNode status = JSON.valueToTree(controller.status());
    m.set("status", status);
    Map<String, String> states = new HashMap<>();
    status.path("nodes").forEach(n -> states.put(n.path("name").asText(), n.path("state").asText()));
    m.set("stats", LabStats.collect(controller.lab(), null, STATS_TIMEOUT, n -> {
      String s = states.get(n);
      return "killed".equals(s) || "paused".equals(s) ? s : null;
    }));
    ArrayNode plan = m.putArray("plan");
    List<FaultSpec> faults = controller.topology().faults();
    for (int i = 0; i < faults.size(); i++) {
      ObjectNode f = plan.addObject();
      f.put("at_ms", faults.get(i).atNanos() / 1_000_000);
      f.put("fault", faults.get(i).text());
      f.put("result", status.path("faults").path(i).path("result").asText("pending"));
    }
    return m;
  }

  /** The narrative's new lines: time, node, protocol (the event type's first word), sentence. */
  private ArrayNode narrativeSince() {
    ArrayNode out = JSON.createArrayNode();
    List<Stamped> got = events.poll();
    int skip = Math.max(0, got.size() - LINES_PER_MESSAGE);
    if (skip > 0) {
      ObjectNode note = out.addObject();
      note.put("ts_ms", got.get(skip).ts() / 1_000_000);
      note.put("node", LabController.NODE);
      note.put("proto", "console");
      note.put("text", skip + " earlier events of this second left out (all are in the run folder's "
          + "events files)");
    }
    for (Stamped e : got.subList(skip, got.size())) {
      String sentence;
      try {
        sentence = Story.sentence(e.event());
      } catch (RuntimeException ex) {
        sentence = e.type();
      }
      if (sentence == null || sentence.isBlank()) {
        continue;
      }
      ObjectNode line = out.addObject();
      line.put("ts_ms", e.ts() / 1_000_000);
      line.put("node", e.node());
      String type = e.type();
      line.put("proto", type.contains(".") ? type.substring(0, type.indexOf('.')) : type);
      line.put("text", sentence);
      synchronized (narrative) {
        narrative.add(line);
        while (narrative.size() > BACKLOG) {
          narrative.poll();
        }
      }
    }
    synchronized (recent) {
      recent.addAll(got.subList(Math.max(0, got.size() - LADDER_EVENTS), got.size()));
      while (recent.size() > LADDER_EVENTS) {
        recent.poll();
      }
    }
    ladderStale |= !got.isEmpty();
    return out;
  }

  /** The ladder of the last frames, when there is news and it was not drawn too recently; else null. */
  private String ladder(JsonNode status) {
    long now = System.currentTimeMillis();
    if (!ladderStale || now - ladderAt < LADDER_EVERY_MS) {
      return null;
    }
    List<Stamped> last;
    synchronized (recent) {
      last = new ArrayList<>(recent);
    }
    Map<String, String> macs = new HashMap<>();
    for (JsonNode n : status.path("nodes")) {
      for (JsonNode i : n.path("interfaces")) {
        if (i.hasNonNull("mac")) {
          macs.put(i.path("mac").asText(), n.path("name").asText());
        }
      }
    }
    ladder = ConsoleRoutes.withoutStyle(Ladder.svg(controller.topology(), last, List.of(), macs));
    ladderAt = now;
    ladderStale = false;
    return ladder;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
