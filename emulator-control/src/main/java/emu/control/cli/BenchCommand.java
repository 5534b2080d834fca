package emu.control.cli;

import emu.control.state.EmuHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code emu bench}: the end-to-end benchmark suite. The benchmarks are shell scripts in
 * benchmarks/e2e/ (they start labs with ./emu, build Linux namespaces, run iperf3), and
 * benchmarks/e2e/bench.sh runs them one at a time and prints the table; this command finds and
 * runs it, passing its output through, so the suite also answers {@code emu --help}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Run the end-to-end benchmarks one after the other (node start and memory, ping RTT per hop,"
        + " DNS queries/s, TLS handshakes/s and HTTPS requests/s, TCP goodput and router packets/s beside the"
        + " Linux kernel, ./emu run wall time, OSPF convergence after a link failure beside FRR, spanning tree"
        + " convergence after a link failure beside the Linux bridge, Kubernetes render of 100-10,000 nodes,"
        + " configured vs observed delay and first packets, tree labs of 50-500 nodes) and print a table of"
        + " medians. Comparisons with the kernel and with FRR need root. Each benchmark's full output is kept in"
        + " the --out folder. See BENCHMARKS.md."})
public final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--quick", description = "Fewer, shorter runs (a few minutes): a smoke run, not figures to quote.")
  boolean quick;

  @Option(names = "--only", paramLabel = "LIST", description = "Only these, comma-separated: footprint, dns, https,"
      + " goodput, pps, walltime, ospf, stp, k8s, fidelity, scale.")
  String only;

  @Option(names = "--out", paramLabel = "DIR", description = "Where each benchmark's log goes (default: a new"
      + " folder under /tmp).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path script = EmuHome.install().resolve("benchmarks/e2e/bench.sh");
    if (!Files.isRegularFile(script)) {
      spec.commandLine().getErr().println("emu bench: " + script + " not found (the benchmarks come with the"
          + " source tree; run ./emu from a clone)");
      return 2;
    }
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    if (quick) {
      cmd.add("--quick");
    }
    if (only != null) {
      cmd.addAll(List.of("--only", only));
    }
    if (out != null) {
      cmd.addAll(List.of("--out", out.toAbsolutePath().toString()));
    }
    // The scripts call ./emu themselves and print as they go: hand them the terminal.
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    return p.waitFor();
  }
}
