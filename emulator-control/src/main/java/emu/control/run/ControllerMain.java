package emu.control.run;

import emu.control.controller.ControlApi;
import emu.control.controller.LabController;
import emu.control.lab.Lab;
import emu.control.lab.LabException;
import emu.control.lab.LabLauncher;
import emu.control.state.LabState;
import emu.control.topology.Families;
import emu.control.topology.Problem;
import emu.control.topology.Topology;
import emu.control.topology.TopologyException;
import emu.control.topology.TopologyLoader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The process behind {@code ./emu up}: starts the lab's nodes as its children, serves the
 * control API, runs the fault plan, and stops everything on {@code POST /labs/LAB/shutdown} or
 * SIGTERM. Nodes are told to exit if this process dies, so a crash leaves nothing running.
 *
 * <p>{@code java emu.control.run.ControllerMain TOPOLOGY OUTDIR SEED CAPTURE TRACE [4|6|both]}, the
 * last the address families kept ({@code --family}); the system property {@code emu.allowFiles}
 * carries {@code --allow-files}.
 * Prints {@code READY api=HOST:PORT} when the lab is up. Exit status 2: bad topology; 3: the
 * lab could not start.
 */
public final class ControllerMain {
  /** System property: {@code --allow-files} folders, separated by the path separator. */
  static final String ALLOW_FILES = "emu.allowFiles";

  private ControllerMain() {}

  public static void main(String[] args) throws Exception {
    PrintWriter out = new PrintWriter(System.out, true);
    if (args.length < 5 || args.length > 7) {
      System.err.println("usage: ControllerMain TOPOLOGY OUTDIR SEED CAPTURE(true|false) TRACE(true|false) "
          + "[4|6|both [seeded|secure]]");
      System.exit(2);
    }
    Topology topo;
    try {
      String allow = System.getProperty(ALLOW_FILES, "");
      topo = TopologyLoader.load(Path.of(args[0]), allow.isEmpty() ? java.util.List.of()
          : java.util.Arrays.stream(allow.split(java.io.File.pathSeparator)).map(Path::of).toList());
      if (args.length >= 6 && !"both".equals(args[5])) {
        topo = Families.only(topo, Integer.parseInt(args[5]));
      }
    } catch (TopologyException e) {
      for (Problem p : e.problems()) {
        System.err.println(p);
      }
      System.exit(2);
      return;
    }
    Path outDir = Path.of(args[1]);
    Lab lab;
    try {
      boolean seeded = args.length < 7 || "seeded".equals(args[6]);
      lab = LabLauncher.launch(topo, outDir, Long.parseLong(args[2]), seeded, Boolean.parseBoolean(args[3]),
          Boolean.parseBoolean(args[4]), false, out);
    } catch (LabException e) {
      System.err.println("emu: " + e.getMessage());
      System.exit(3);
      return;
    }
    lab.watch(msg -> out.println("emu: " + msg));
    LabController controller = new LabController(topo, lab, outDir);
    CountDownLatch done = new CountDownLatch(1);
    ControlApi api = new ControlApi(controller, lab.state().token(), done::countDown);
    // the browser console (./emu console) on the same server, under the same token
    emu.control.console.ConsoleRoutes console = new emu.control.console.ConsoleRoutes(controller, outDir);
    api.extend(console);
    InetSocketAddress at;
    try {
      at = api.bind(new InetSocketAddress("127.0.0.1", 0));
      lab.controller(new LabState.Controller(ProcessHandle.current().pid(),
          at.getAddress().getHostAddress() + ":" + at.getPort()));
    } catch (Exception e) {
      System.err.println("emu: " + e.getMessage());
      lab.stop();
      System.exit(3);
      return;
    }
    // SIGTERM: the lab stops itself at exit (Lab.start's hook), the fault plan and the API first,
    // so that nothing restarts a node being stopped (as ScenarioRunner does for `emu run`)
    lab.beforeExitStop(() -> {
      console.close();
      controller.close();
      api.close();
    });
    controller.startFaultPlan();
    out.println("READY api=" + at.getAddress().getHostAddress() + ":" + at.getPort());
    done.await();
    out.println("emu: lab " + topo.name() + " shutting down on request");
    // The report's counters are asked of the nodes before they stop; it is written while they stop
    // (what it shows was recorded before: see ScenarioRunner).
    var snapshot = emu.control.report.LabSnapshot.take(lab.state(), controller::nodeJson);
    console.close();
    controller.close();
    java.util.List<String> names = new java.util.ArrayList<>(lab.state().nodes().stream()
        .map(LabState.NodeState::name).toList());
    names.add(LabController.NODE);
    Topology shown = topo;
    var report = emu.control.report.RunReport.writeWhile(outDir, shown, names, java.util.List.of(), snapshot,
        "./emu up, then ./emu down");
    lab.stop(); // synchronized with the exit hook's, should a SIGTERM come meanwhile
    api.close();
    out.println(report.join().line());
    emu.control.process.HttpClientThreads.endBeforeExit(); // `down` waits for this exit: 0.3 s sooner
    System.exit(0);
  }
}
