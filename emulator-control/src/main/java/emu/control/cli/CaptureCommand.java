package emu.control.cli;

import emu.control.lab.Lab;
import emu.control.lab.LabException;
import emu.control.process.NodeClient;
import emu.control.state.LabState;
import emu.control.topology.LinkSpec;
import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code emu capture NODE:IF [-w FILE|-] [-c N]}: a live pcap of what one interface of a running
 * node sends and receives, from now until Ctrl-C or N frames, as tcpdump {@code -w} writes it
 * (global header first, every record flushed as it comes), so that {@code | tshark -r -} and
 * {@code | wireshark -k -i -} follow it live. The node streams it over its management API
 * ({@code GET /links/IF/capture}); the frames it had to drop because this reader fell behind are
 * counted there and printed at the end, as tcpdump prints its "dropped by kernel" count. Like
 * tshark, it does not write binary to a terminal.
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
    description = {"Capture what an interface of a running node sends and receives, live, as a pcap "
        + "(Ethernet): from now until Ctrl-C or -c N frames; at the end, how many frames were captured "
        + "and how many dropped because the reader fell behind (on standard error).",
        "Works whether or not the lab writes capture files (--no-capture); several captures of one interface "
            + "may run at once. Host, router and switch nodes; not linux or external nodes (capture at the emu "
            + "end of their link)."},
    footer = {"Examples:", "  ./emu capture r1:eth1 -w - | tshark -r -",
        "  ./emu capture r1:eth1 -w - | wireshark -k -i -", "  ./emu capture client:eth0 -c 100 -w ping.pcap"})
public final class CaptureCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NODE:IF", description = "The interface, e.g. r1:eth1.")
  String endpoint;

  @Option(names = "-w", paramLabel = "FILE|-", description = "Where to write the pcap; - (the default) for "
      + "standard output, which must not be a terminal.")
  String file;

  @Option(names = "-c", paramLabel = "N", description = "Stop after N frames.")
  Long count;

  @Option(names = "--lab", description = "Lab name (default: the only lab that is up).")
  String lab;

  @Override
  public Integer call() {
    PrintWriter e = spec.commandLine().getErr();
    int colon = endpoint.indexOf(':');
    if (colon <= 0 || colon == endpoint.length() - 1) {
      e.println("emu: capture wants NODE:IF, e.g. r1:eth1, not '" + endpoint + "'");
      return 2;
    }
    String node = endpoint.substring(0, colon);
    String iface = endpoint.substring(colon + 1);
    if (count != null && count <= 0) {
      e.println("emu: -c wants a number of frames, 1 or more, not " + count);
      return 2;
    }
    boolean toStdout = file == null || file.equals("-");
    if (toStdout && stdoutIsTerminal()) {
      e.println("emu: not writing a binary pcap to the terminal; write it to a file (-w FILE) or pipe it: "
          + "./emu capture " + endpoint + " -w - | tshark -r -");
      return 2;
    }
    Lab l;
    try {
      l = Lab.attach(lab);
    } catch (LabException ex) {
      e.println("emu: " + ex.getMessage());
      return 1;
    }
    LabState.NodeState state = l.state().node(node);
    if (state == null) {
      e.println("emu: " + notANode(l.state(), node, iface));
      return 2;
    }
    if (l.isLinux(node)) {
      e.println("emu: " + node + " is a linux node, which emu does not capture on"
          + emuEnd(l.state(), node, iface) + " (or run tcpdump in its namespace: ip netns exec " + l.netns(node)
          + " tcpdump -i " + iface + " -U -w -)");
      return 2;
    }
    if (!l.running(node)) {
      e.println("emu: node " + node + " is not running (" + state.whyGone() + "; see " + state.log() + ")");
      return 1;
    }
    if (l.paused(node)) {
      e.println("emu: node " + node + " is paused, so it cannot capture; resume it first: ./emu node resume " + node);
      return 1;
    }
    // the output first: a file that cannot be written changes nothing on the node
    OutputStream out;
    Path created = null;
    try {
      if (toStdout) {
        out = new FileOutputStream(FileDescriptor.out);
      } else {
        Path p = Path.of(file);
        boolean existed = Files.exists(p);
        out = Files.newOutputStream(p);
        created = existed ? null : p;
      }
    } catch (IOException | RuntimeException ex) {
      e.println("emu: cannot write " + file + ": " + (ex instanceof java.nio.file.NoSuchFileException
          ? "no such directory" : ex instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : ex.getMessage()));
      return 1;
    }
    NodeClient client = l.client(node);
    NodeClient.Capture capture;
    try {
      capture = client.capture(iface, count == null ? 0 : count);
    } catch (NodeClient.Refused ex) {
      e.println("emu: node " + node + " cannot capture " + endpoint + ": "
          + ex.getMessage().replaceFirst("^HTTP \\d+: ", ""));
      discard(out, created);
      return ex.getMessage().startsWith("HTTP 404") ? 2 : 1;
    } catch (java.net.http.HttpTimeoutException ex) {
      e.println("emu: node " + node + " did not start the capture within 10 s (is it paused? ./emu node resume "
          + node + ")");
      discard(out, created);
      return 1;
    } catch (IOException ex) {
      e.println("emu: " + ex.getMessage());
      discard(out, created);
      return 1;
    }
    Relay relay = new Relay(client, iface, capture, out, e);
    Thread hook = new Thread(relay::interrupted, "emu-capture-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = relay.run(count == null ? 0 : count);
    relay.code = code;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException ex) {
      // shutting down (Ctrl-C): the hook waits for the summary printed above
    }
    relay.done.countDown();
    return code;
  }

  /** Why there is no node to capture on: not in the lab, or an external node (named with its link's emu end). */
  private static String notANode(LabState s, String node, String iface) {
    try {
      Topology t = TopologyLoader.load(Path.of(s.topology()));
      if (t.node(node) != null && t.node(node).isExternal()) {
        return node + " is an external node, which emu does not run nor capture on" + emuEnd(s, node, iface);
      }
    } catch (Exception ex) {
      // the file changed or is gone: say what the state says
    }
    return "lab " + s.name() + " has no node named " + node + " (it has: "
        + String.join(", ", s.nodes().stream().map(LabState.NodeState::name).toList()) + ")";
  }

  /** "; capture at PEER:IF, the emu end of its link" if the topology says so, else "". */
  private static String emuEnd(LabState s, String node, String iface) {
    try {
      Topology t = TopologyLoader.load(Path.of(s.topology()));
      LinkSpec link = t.link(node, iface);
      if (link != null) {
        LinkSpec.Endpoint other = link.a().node().equals(node) ? link.b() : link.a();
        if (t.node(other.node()).isEmu()) {
          return "; capture at " + other + ", the emu end of its link, instead (the same frames)";
        }
      }
    } catch (Exception ex) {
      // no hint then
    }
    return "";
  }

  /** The capture did not start: closes the output, and removes the file if this command created it. */
  private static void discard(OutputStream out, Path created) {
    try {
      out.close();
      if (created != null) {
        Files.deleteIfExists(created);
      }
    } catch (IOException ex) {
      // nothing was written to it
    }
  }

  /** True if standard output is a terminal (Linux: fd 1 is a tty device; elsewhere: a console is attached). */
  static boolean stdoutIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException ex) {
      return System.console() != null;
    }
  }

  /**
   * Copies the node's stream to the output record by record (never a partial one), flushing each;
   * ends at the stream's end (the count reached, Ctrl-C's stop, the node stopping), or when the
   * reader goes away (a closed pipe); then prints the counts.
   */
  private static final class Relay {
    final NodeClient client;
    final String iface;
    final NodeClient.Capture capture;
    final OutputStream out;
    final PrintWriter err;
    final CountDownLatch done = new CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicBoolean summarised = new java.util.concurrent.atomic.AtomicBoolean();
    volatile boolean stopping;
    volatile long written;
    volatile NodeClient.Reply counts;
    /** The relay's exit status, set before {@link #done} counts down. */
    volatile int code;

    Relay(NodeClient client, String iface, NodeClient.Capture capture, OutputStream out, PrintWriter err) {
      this.client = client;
      this.iface = iface;
      this.capture = capture;
      this.out = out;
      this.err = err;
    }

    /**
     * Ctrl-C (the shutdown hook): ask the node to end the stream, wait for the summary, then exit
     * with the relay's status, as tcpdump does (0 after a clean Ctrl-C, not the 130 of a JVM that
     * SIGINT ends): everything is written and flushed by then, so halting loses nothing.
     */
    void interrupted() {
      stopping = true;
      ask();
      boolean ended;
      try {
        ended = done.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException ex) {
        return; // exiting anyway
      }
      if (!ended) {
        // the stream did not end (the output blocks: a reader that stopped reading): say it from here
        summarise(null);
      }
      err.flush();
      Runtime.getRuntime().halt(ended ? code : 0);
    }

    /** Prints the counts, once (from the relay at the end, or from Ctrl-C's hook if the relay is stuck). */
    void summarise(String problem) {
      if (!summarised.compareAndSet(false, true)) {
        return;
      }
      NodeClient.Reply r = ask();
      long w = written;
      err.println(w + " packet" + (w == 1 ? "" : "s") + " captured");
      if (r != null) {
        long dropped = r.body().path("dropped").asLong();
        err.println(dropped + " packet" + (dropped == 1 ? "" : "s") + " dropped (the reader fell behind)");
      } else {
        err.println("packets dropped: unknown (node " + client.node() + " did not say)");
      }
      if (problem != null) {
        err.println("emu: " + problem);
      }
      err.flush();
    }

    /** The node's counts (ending the capture if it still runs); null if it cannot say. */
    synchronized NodeClient.Reply ask() {
      if (counts == null) {
        try {
          NodeClient.Reply r = client.stopCapture(iface, capture.id());
          counts = r.status() == 200 ? r : null;
        } catch (IOException ex) {
          counts = null;
        }
      }
      return counts;
    }

    int run(long count) {
      String problem = null;
      boolean readerGone = false;
      DataInputStream in = new DataInputStream(capture.body());
      byte[] header = new byte[16];
      try {
        byte[] global = new byte[24];
        in.readFully(global);
        out.write(global);
        out.flush();
        while (true) {
          try {
            in.readFully(header);
          } catch (EOFException eof) {
            break;
          }
          int caplen = (header[8] & 0xff) | (header[9] & 0xff) << 8 | (header[10] & 0xff) << 16
              | (header[11] & 0xff) << 24;
          if (caplen < 0 || caplen > 262_144) {
            problem = "the node sent a record of " + caplen + " bytes: not a pcap stream";
            break;
          }
          byte[] record = new byte[16 + caplen];
          System.arraycopy(header, 0, record, 0, 16);
          in.readFully(record, 16, caplen);
          try {
            out.write(record);
            out.flush();
          } catch (IOException ex) {
            readerGone = true; // the pipe's reader exited: as tcpdump, end quietly
            break;
          }
          written++;
        }
        if (!stopping && !readerGone && problem == null && (count == 0 || written < count)) {
          problem = "node " + client.node() + " ended the capture (it stopped, or another client ended it)";
        }
      } catch (IOException ex) {
        if (!stopping) {
          problem = "node " + client.node() + " went away: " + ex.getMessage();
        }
      }
      try {
        capture.close();
      } catch (IOException ex) {
        // closing what ended
      }
      try {
        out.close();
      } catch (IOException ex) {
        // a closed pipe: nothing more to say to it
      }
      summarise(problem);
      return problem == null ? 0 : 1;
    }
  }
}
