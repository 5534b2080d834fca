package emu.control.narrative;

import emu.node.event.EventCodec;
import emu.node.event.Stamped;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints merged node events as a story a person can read: time since the start of the step,
 * the node, and what it did ({@link Story}'s sentence), one line each. Also keeps
 * {@code narrative.txt} and the merged {@code events.jsonl} in the run folder, whose lines carry
 * the sentence as {@code msg} beside the facts.
 */
public final class Narrative implements AutoCloseable {
  private final PrintWriter out;
  private final Writer text;
  private final Writer merged;
  private final int nodeWidth;

  public Narrative(PrintWriter out, Path dir, List<String> nodes) throws IOException {
    this.out = out;
    this.text = Files.newBufferedWriter(dir.resolve("narrative.txt"), StandardCharsets.UTF_8);
    this.merged = Files.newBufferedWriter(dir.resolve("events.jsonl"), StandardCharsets.UTF_8);
    this.nodeWidth = nodes.stream().mapToInt(String::length).max().orElse(6);
  }

  /**
   * The heading of a run's first phase, in the narrative and the report's ladder: what nodes do
   * as they come up, with IPv6's start (duplicate address detection, router discovery) when the
   * lab has IPv6.
   */
  public static String labStartHeading(boolean ipv6) {
    return ipv6 ? "lab start: IPv4 addresses announced (gratuitous ARP), IPv6 ones checked (DAD), routers found"
        : "lab start: each node announces its addresses (gratuitous ARP)";
  }

  /** A heading, such as a scenario step. */
  public void heading(String title) {
    String line = "── " + title + " " + "─".repeat(Math.max(3, 74 - title.length()));
    out.println();
    out.println(line);
    write(line);
  }

  /** A line of a command's own output, or a remark from the control plane. */
  public void note(String line) {
    out.println("   " + line);
    out.flush();
    write("   " + line);
  }

  /** Events, with times relative to {@code t0Nanos} (epoch). */
  public void events(List<Stamped> events, long t0Nanos) {
    for (Stamped e : events) {
      String sentence = Story.sentence(e.event());
      String line = line(e, sentence, t0Nanos, nodeWidth);
      out.println(line);
      write(line);
      out.flush();
      try {
        merged.write(EventCodec.toJson(e, sentence));
        merged.write('\n');
      } catch (IOException ex) {
        // The console copy is what matters; the file copy is best effort.
      }
    }
  }

  /** One line of the narrative: time since {@code t0Nanos}, the node, its sentence. */
  static String line(Stamped e, String sentence, long t0Nanos, int nodeWidth) {
    double ms = (e.ts() - t0Nanos) / 1e6;
    return String.format(Locale.ROOT, "   %10.3f ms  %-" + nodeWidth + "s  %s", ms, e.node(), sentence);
  }

  /**
   * The narrative of {@code events} as this renderer writes it, times from the first event: what
   * {@code narrative.txt} holds between its headings and command output.
   */
  public static List<String> lines(List<Stamped> events) {
    int width = events.stream().mapToInt(e -> e.node().length()).max().orElse(6);
    long t0 = events.isEmpty() ? 0 : events.get(0).ts();
    return events.stream().map(e -> line(e, Story.sentence(e.event()), t0, width)).toList();
  }

  private void write(String line) {
    try {
      text.write(line);
      text.write('\n');
    } catch (IOException e) {
      // best effort, as above
    }
  }

  @Override
  public void close() throws IOException {
    text.close();
    merged.close();
  }
}
