package emu.control.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code ./emu status} names a VLAN subinterface's link by its VLAN and parent, as a node's status gives them. */
class SubinterfaceStatusTableTest {
  @Test
  void aSubinterfaceIsAVlanOnItsParentNotAnUnlinkedInterface() throws Exception {
    ObjectNode status = (ObjectNode) new ObjectMapper().readTree("""
        {"lab": "stick", "nodes": [{"name": "r1", "kind": "router", "pid": 7, "state": "running", "interfaces": [
          {"name": "eth0", "address": null, "mac": "02:00:00:00:01:00", "bind": "127.0.0.1:1", "peer": "127.0.0.1:2",
           "state": "UP"},
          {"name": "eth0.10", "address": "10.10.0.1/24", "mac": "02:00:00:00:01:00", "bind": null, "peer": null,
           "vlan": {"parent": "eth0", "id": 10}, "state": "UP"},
          {"name": "eth2", "address": "10.40.0.1/24", "mac": "02:00:00:00:01:02", "bind": null, "state": "UP"}]}]}
        """);
    StringWriter out = new StringWriter();
    StatusTable.print(status, new PrintWriter(out));
    String text = out.toString();
    assertTrue(text.matches("(?s).*eth0\\.10 +10\\.10\\.0\\.1/24 +02:00:00:00:01:00 +802\\.1Q VLAN 10 on eth0 .*"),
        text);
    assertTrue(text.matches("(?s).*eth2 +10\\.40\\.0\\.1/24 +02:00:00:00:01:02 +\\(not linked\\).*"), text);
  }
}
