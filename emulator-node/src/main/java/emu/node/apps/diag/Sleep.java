package emu.node.apps.diag;

import emu.link.time.TimeSource;
import emu.node.shell.Command;
import emu.node.shell.CommandIo;
import emu.node.shell.UsageException;
import java.util.List;

/** {@code sleep SECONDS}: waits on the node's clock, so a scenario can let time (and faults) pass. */
public final class Sleep implements Command {
  private final TimeSource time;

  public Sleep(TimeSource time) {
    this.time = time;
  }

  @Override
  public String name() {
    return "sleep";
  }

  @Override
  public String summary() {
    return "sleep SECONDS   wait (fractions allowed), e.g. to let a fault plan act";
  }

  @Override
  public void run(List<String> args, CommandIo io) {
    if (args.size() != 1) {
      throw new UsageException("usage: sleep SECONDS");
    }
    double s;
    try {
      s = Double.parseDouble(args.get(0));
    } catch (NumberFormatException e) {
      throw new UsageException("invalid time interval '" + args.get(0) + "'");
    }
    if (!(s >= 0 && s <= 86_400)) {
      throw new UsageException("invalid time interval '" + args.get(0) + "' (0 to 86400 seconds)");
    }
    TimeSource.Timer t = time.schedule(() -> io.exit(0), (long) (s * 1e9));
    io.onCancel(t::cancel);
  }
}
