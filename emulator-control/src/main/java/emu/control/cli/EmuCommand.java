package emu.control.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code emu} command line: run, up, status, stats, exec, capture, down, link, node, partition, heal, reset,
 * validate, graph.
 */
@Command(name = "emu", mixinStandardHelpOptions = true, version = "emu 0.1.0",
    description = "A network emulator: every node a JVM process, every link a UDP tunnel carrying real "
        + "Ethernet frames.",
    subcommands = {RunCommand.class, UpCommand.class, StatusCommand.class, StatsCommand.class, ExecCommand.class,
        CaptureCommand.class, ConsoleCommand.class, DownCommand.class, LinkCommand.class, NodeCommand.class,
        PartitionCommand.class,
        PartitionCommand.Heal.class, PartitionCommand.Reset.class, ValidateCommand.class, GraphCommand.class,
        BenchCommand.class, K8sCommand.class, CommandLine.HelpCommand.class})
public final class EmuCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("exec")) {
      emu.control.process.HttpClientThreads.endAtShutdown(); // Ctrl-C on a streaming exec: 0.3 s sooner too
    }
    int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    emu.control.process.HttpClientThreads.endBeforeExit(); // 0.3 s sooner at the prompt
    System.exit(code);
  }

  /** Runs a command line with the given output streams; returns the exit status. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new EmuCommand());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      line.getErr().println("emu: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      line.getErr().flush();
      return 1;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }
}
