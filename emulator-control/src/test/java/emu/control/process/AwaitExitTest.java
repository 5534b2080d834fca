package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link NodeProcesses#awaitExit}, on real processes: a child, a process that is not this JVM's
 * child, a zombie (exited, not yet collected by its parent: what the lab's control process is
 * once {@code emu up} has returned and PID 1 is slow to collect it), and one that does not exit.
 */
class AwaitExitTest {
  @Test
  void aChildThatExitsEndsTheWait() throws Exception {
    Process p = new ProcessBuilder("sleep", "0.1").start();
    assertTrue(NodeProcesses.awaitExit(p.toHandle(), 10_000));
    assertTrue(NodeProcesses.exited(p.toHandle()));
  }

  @Test
  void aProcessThatIsNotOursEndsTheWaitWhenItExits() throws Exception {
    // sh's own child: a grandchild of this JVM, which sh collects when it exits
    Process sh = new ProcessBuilder("sh", "-c", "sleep 0.3 & echo $!; wait").start();
    try {
      long pid = Long.parseLong(firstLine(sh));
      ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
      assertFalse(h.parent().map(q -> q.pid() == ProcessHandle.current().pid()).orElse(false));
      assertTrue(NodeProcesses.awaitExit(h, 10_000));
      assertTrue(NodeProcesses.exited(h));
    } finally {
      sh.destroyForcibly().waitFor();
    }
  }

  @Test
  void aZombieHasExited() throws Exception {
    // a parent that never collects its child: the child stays a zombie while the parent lives
    Process parent = new ProcessBuilder("python3", "-c", """
        import os, sys, time
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        print(pid, flush=True)
        time.sleep(30)
        """).start();
    try {
      long pid = Long.parseLong(firstLine(parent));
      ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
      for (int i = 0; i < 100 && !NodeProcesses.zombie(pid); i++) {
        Thread.sleep(20);
      }
      assertTrue(NodeProcesses.zombie(pid), "the child became a zombie");
      assertTrue(h.isAlive(), "the JDK still calls a zombie alive: what the check is for");
      assertTrue(NodeProcesses.awaitExit(h, 2_000), "a zombie has exited");
    } finally {
      parent.destroyForcibly().waitFor();
    }
  }

  @Test
  void aProcessWhoseFirstThreadEndedFirstHasNotExitedUntilItsLastThreadHas() throws Exception {
    // the first thread leaves alone (the exit system call, not exit_group): it shows as a zombie
    // while the other thread still runs and holds the process's files, as a JVM's first thread
    // does while its others end
    Process p = new ProcessBuilder("python3", "-c", """
        import ctypes, os, threading, time
        def last():
            time.sleep(1.5)
            os._exit(0)
        threading.Thread(target=last).start()
        print("started", flush=True)
        ctypes.CDLL(None).syscall(60, 0)
        """).start();
    try {
      assertEquals("started", firstLine(p));
      long pid = p.pid();
      java.nio.file.Path stat = java.nio.file.Path.of("/proc/" + pid + "/stat");
      for (int i = 0; i < 100 && !java.nio.file.Files.readString(stat).contains(") Z "); i++) {
        Thread.sleep(10);
      }
      assertTrue(java.nio.file.Files.readString(stat).contains(") Z "), "the first thread is a zombie");
      assertFalse(NodeProcesses.zombie(pid), "another thread still runs");
      assertFalse(NodeProcesses.awaitExit(p.toHandle(), 200));
      assertTrue(NodeProcesses.awaitExit(p.toHandle(), 10_000));
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  void aProcessThatRunsOnIsWaitedForNoLongerThanAsked() throws Exception {
    Process p = new ProcessBuilder("sleep", "30").start();
    try {
      assertFalse(NodeProcesses.awaitExit(p.toHandle(), 200));
      assertTrue(p.isAlive());
      assertFalse(NodeProcesses.zombie(p.pid()));
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  private static String firstLine(Process p) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null) {
      throw new AssertionError("no output from " + p.info().commandLine().orElse("the process"));
    }
    return line.trim();
  }
}
