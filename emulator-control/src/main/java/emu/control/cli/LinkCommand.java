package emu.control.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emu link set|clear|down|up|show}: link impairments and state while a lab runs. */
@Command(name = "link", mixinStandardHelpOptions = true,
    description = "Impair a link endpoint's egress, or take a link down and up, while a lab runs.",
    subcommands = {LinkCommand.Set.class, LinkCommand.Clear.class, LinkCommand.Down.class, LinkCommand.Up.class})
public final class LinkCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The endpoint and lab every link subcommand takes. */
  static class Target {
    @Parameters(index = "0", paramLabel = "NODE:IF", description = "The link endpoint, e.g. client:eth0.")
    String endpoint;

    @Option(names = "--lab", description = "Lab name (default: the only lab that is up).")
    String lab;
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = {"Change impairments of NODE:IF's egress (frames it sends). Only the parameters given change "
          + "(unlike 'netem change', which resets the others); 'link clear' removes them all. Values use tc-netem's "
          + "words and units.",
          "Example: ./emu link set client:eth0 --delay 20ms --jitter 5ms --loss 5%"})
  static final class Set extends Target implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--delay", paramLabel = "TIME", description = "Added delay, e.g. 20ms.")
    String delay;
    @Option(names = "--jitter", paramLabel = "TIME", description = "Delay variation, e.g. 5ms.")
    String jitter;
    @Option(names = "--delay-correlation", paramLabel = "PCT") String delayCorrelation;
    @Option(names = "--distribution", paramLabel = "NAME", description = "uniform | normal | pareto | paretonormal.")
    String distribution;
    @Option(names = "--loss", paramLabel = "PCT", description = "Random loss, e.g. 5%.")
    String loss;
    @Option(names = "--loss-correlation", paramLabel = "PCT") String lossCorrelation;
    @Option(names = "--loss-gemodel", paramLabel = "\"p [r [1-h [1-k]]]\"", description = "Gilbert-Elliott loss.")
    String lossGemodel;
    @Option(names = "--duplicate", paramLabel = "PCT") String duplicate;
    @Option(names = "--duplicate-correlation", paramLabel = "PCT") String duplicateCorrelation;
    @Option(names = "--corrupt", paramLabel = "PCT", description = "Flip one bit in that share of frames.")
    String corrupt;
    @Option(names = "--corrupt-correlation", paramLabel = "PCT") String corruptCorrelation;
    @Option(names = "--reorder", paramLabel = "PCT", description = "Send that share at once, ahead of delayed ones.")
    String reorder;
    @Option(names = "--reorder-correlation", paramLabel = "PCT") String reorderCorrelation;
    @Option(names = "--gap", paramLabel = "N", description = "Reorder only every Nth frame.") String gap;
    @Option(names = "--rate", paramLabel = "RATE", description = "Bandwidth, e.g. 10mbit.") String rate;
    @Option(names = "--limit", paramLabel = "PACKETS", description = "Rate queue length (default 1000).")
    String limit;
    @Option(names = "--limit-bytes", paramLabel = "BYTES") String limitBytes;
    @Option(names = "--mtu", paramLabel = "BYTES", description = "Link MTU for this direction.") String mtu;
    @Option(names = "--egress-down", paramLabel = "true|false", description = "Drop everything this end sends.")
    String down;

    @Override
    public Integer call() {
      Map<String, String> words = new LinkedHashMap<>();
      put(words, "delay", delay);
      put(words, "jitter", jitter);
      put(words, "delay-correlation", delayCorrelation);
      put(words, "distribution", distribution);
      put(words, "loss", loss);
      put(words, "loss-correlation", lossCorrelation);
      put(words, "loss-gemodel", lossGemodel);
      put(words, "duplicate", duplicate);
      put(words, "duplicate-correlation", duplicateCorrelation);
      put(words, "corrupt", corrupt);
      put(words, "corrupt-correlation", corruptCorrelation);
      put(words, "reorder", reorder);
      put(words, "reorder-correlation", reorderCorrelation);
      put(words, "gap", gap);
      put(words, "rate", rate);
      put(words, "limit", limit);
      put(words, "limit-bytes", limitBytes);
      put(words, "mtu", mtu);
      put(words, "down", down);
      var out = spec.commandLine().getOut();
      var err = spec.commandLine().getErr();
      if (words.isEmpty()) {
        err.println("emu: say what to change, e.g. ./emu link set " + endpoint + " --delay 20ms --loss 5%");
        return 2;
      }
      return Control.run(lab, out, err, c -> c.lab("POST", "/links/" + endpoint + "/impairment", words),
          a -> out.println(endpoint + ": " + StatusTable.words(a.path("impairment"))));
    }

    private static void put(Map<String, String> m, String k, String v) {
      if (v != null) {
        m.put(k, v);
      }
    }
  }

  @Command(name = "clear", mixinStandardHelpOptions = true, description = "Remove every impairment of NODE:IF's egress.")
  static final class Clear extends Target implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      return Control.run(lab, out, spec.commandLine().getErr(),
          c -> c.lab("DELETE", "/links/" + endpoint + "/impairment", null), a -> out.println(endpoint + ": -"));
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Take the link of NODE:IF down: both ends lose carrier and drop everything.")
  static final class Down extends Target implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      return Control.run(lab, out, spec.commandLine().getErr(), c -> c.lab("POST", "/links/" + endpoint + "/down", null),
          a -> out.println("link " + a.path("name").asText() + " " + a.path("state").asText()));
    }
  }

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Bring the link of NODE:IF back up.")
  static final class Up extends Target implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      return Control.run(lab, out, spec.commandLine().getErr(), c -> c.lab("POST", "/links/" + endpoint + "/up", null),
          a -> out.println("link " + a.path("name").asText() + " " + a.path("state").asText()));
    }
  }
}
