package emu.node.ospf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.apps.diag.ShowCommand;
import emu.node.ospf.Ospf.InterfaceConfig;
import emu.node.ospf.Ospf.NetworkType;
import emu.node.shell.CommandIo;
import emu.node.testing.LabNode;
import emu.node.testing.LabSwitch;
import emu.node.testing.VirtualLab;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code show ip ospf ...} prints FRR's shapes: the columns people grep for. */
class OspfShowTest {
  private static List<String> show(Ospf o, String what) {
    List<String> out = new ArrayList<>();
    new ShowCommand(o).run(List.of(what.split(" ")), new CommandIo() {
      @Override
      public void out(String line) {
        out.add(line);
      }

      @Override
      public void exit(int code) {
        assertEquals(0, code);
      }

      @Override
      public void onCancel(Runnable action) {
      }
    });
    return out;
  }

  @Test
  void neighborInterfaceDatabaseAndRoutesAsFrrPrintsThem() {
    VirtualLab lab = new VirtualLab(3);
    LabSwitch sw = lab.bridge("sw");
    LabNode r1 = lab.router("r1");
    LabNode r2 = lab.router("r2");
    lab.connect(r1, "eth0", "02:00:00:00:00:01", "10.0.0.1/24", sw, "p1");
    lab.connect(r2, "eth0", "02:00:00:00:00:02", "10.0.0.2/24", sw, "p2");
    lab.connect(r1, "eth1", "02:00:00:00:01:01", "10.0.12.1/24", r2, "eth1", "02:00:00:00:01:02", "10.0.12.2/24",
        1500);
    lab.tap(r2, "eth2", "02:00:00:00:02:02", "10.2.0.1/24");
    lab.start();
    Ospf o1 = new Ospf(r1.stack(), new Ospf.Config(0x01010101, List.of(
        new InterfaceConfig("eth0", 10, 1, 4, 1, false, NetworkType.BROADCAST),
        new InterfaceConfig("eth1", 10, 1, 4, 1, false, NetworkType.POINT_TO_POINT))));
    Ospf o2 = new Ospf(r2.stack(), new Ospf.Config(0x02020202, List.of(
        new InterfaceConfig("eth0", 10, 1, 4, 1, false, NetworkType.BROADCAST),
        new InterfaceConfig("eth1", 10, 1, 4, 1, false, NetworkType.POINT_TO_POINT),
        new InterfaceConfig("eth2", 10, 1, 4, 1, true, NetworkType.BROADCAST))));
    o1.start();
    o2.start();
    lab.advance(VirtualLab.seconds(20));
    List<String> nbr = show(o1, "ip ospf neighbor");
    assertEquals("Neighbor ID     Pri State           Up Time         Dead Time Address         Interface"
        + "                        RXmtL RqstL DBsmL", nbr.get(1));
    assertTrue(nbr.get(2).matches("2\\.2\\.2\\.2 {11}1 Full/DR {9}\\d+s +\\d\\.\\d{3}s 10\\.0\\.0\\.2 {8}"
        + "eth0:10\\.0\\.0\\.1 {24}0 {5}0 {5}0"), "[" + nbr.get(2) + "]");
    assertTrue(nbr.get(3).startsWith("2.2.2.2           1 Full/-  "), nbr.get(3));
    List<String> db = show(o1, "ip ospf database");
    assertTrue(db.contains("                Router Link States (Area 0.0.0.0)"), db.toString());
    assertTrue(db.contains("                Net Link States (Area 0.0.0.0)"), db.toString());
    assertTrue(db.stream().anyMatch(l -> l.matches("2\\.2\\.2\\.2 {9}2\\.2\\.2\\.2 {8}\\s*\\d+ 0x8000000\\d 0x[0-9a-f]{4} 4")),
        db.toString());
    List<String> ifs = show(o1, "ip ospf interface");
    assertTrue(ifs.contains("  Router ID 1.1.1.1, Network Type BROADCAST, Cost: 10"), ifs.toString());
    assertTrue(ifs.contains("  Designated Router (ID) 2.2.2.2 Interface Address 10.0.0.2/24"), ifs.toString());
    assertTrue(ifs.contains("  Router ID 1.1.1.1, Network Type POINTOPOINT, Cost: 10"), ifs.toString());
    List<String> routes = show(o1, "ip route ospf");
    assertTrue(routes.contains("O>* 10.2.0.0/24 [110/20] via 10.0.0.2, eth0, weight 1"), routes.toString());
    assertTrue(routes.contains("  *                      via 10.0.12.2, eth1, weight 1"), routes.toString());
    assertTrue(show(o1, "ip ospf").get(0).contains("Router ID: 1.1.1.1"));
    o1.stop();
    o2.stop();
    lab.close();
  }
}
