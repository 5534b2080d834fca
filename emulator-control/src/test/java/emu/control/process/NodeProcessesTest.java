package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The JVM options a node process is started with. */
class NodeProcessesTest {
  @Test
  void nativeHeapTrimmingIsAskedOnlyOfJvmsThatHaveIt() {
    assertTrue(NodeProcesses.trimsNativeHeap(Runtime.Version.parse("17.0.9")));
    assertTrue(NodeProcesses.trimsNativeHeap(Runtime.Version.parse("17.0.15+6")));
    assertTrue(NodeProcesses.trimsNativeHeap(Runtime.Version.parse("21.0.1")));
    assertTrue(NodeProcesses.trimsNativeHeap(Runtime.Version.parse("25")));
    assertEquals(false, NodeProcesses.trimsNativeHeap(Runtime.Version.parse("17.0.8")));
    assertEquals(false, NodeProcesses.trimsNativeHeap(Runtime.Version.parse("21")));
    assertEquals(false, NodeProcesses.trimsNativeHeap(Runtime.Version.parse("20.0.2")));
  }
}
