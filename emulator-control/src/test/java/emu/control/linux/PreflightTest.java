package emu.control.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The refusal a user without root gets, before anything is created (runs as any user). */
class PreflightTest {
  static LinuxPlan plan(String node) {
    return new LinuxPlan("lab", node, LinuxNamespaces.netnsName("lab", node), "emuaaaaaah", "emuaaaaaan",
        "169.254.100.1/24", "169.254.100.2/24",
        List.of(new LinuxPlan.Iface("eth0", "02:00:00:00:01:00", "10.0.0.2/24", 1500, 1001, "169.254.100.10")),
        List.of(), null, null, Map.of());
  }

  @Test
  void withoutRootLinuxNodesAreRefusedNamingThem() {
    LinuxException e = assertThrows(LinuxException.class,
        () -> LinuxNamespaces.preflight(List.of(plan("k1"), plan("k2")), false));
    assertEquals("linux nodes (k1, k2) need root: they are network namespaces with veth and VXLAN devices."
        + " Run emu as root, or use host/router nodes instead", e.getMessage());
  }

  @Test
  void anIpv6InterfaceBelowIpv6sMinimumMtuIsRefusedNamingIt() {
    LinuxPlan p = new LinuxPlan("lab", "k1", LinuxNamespaces.netnsName("lab", "k1"), "emuaaaaaah", "emuaaaaaan",
        "169.254.100.1/24", "169.254.100.2/24",
        List.of(new LinuxPlan.Iface("eth0", "02:00:00:00:01:00", null, 1000, 1001, "169.254.100.10",
            List.of("2001:db8:1::10/64"), null)),
        List.of(), null, null, Map.of());
    LinuxException e = assertThrows(LinuxException.class, () -> LinuxNamespaces.preflight(List.of(p), true));
    assertEquals("linux node k1, interface eth0: its MTU is 1000, below IPv6's minimum link MTU of 1280 (RFC 8200),"
        + " and Linux keeps IPv6 off on such a device; give the link an MTU of at least 1280, or the interface no"
        + " IPv6", e.getMessage());
  }

  @Test
  void aLabWithoutLinuxNodesNeedsNothing() throws Exception {
    LinuxNamespaces.preflight(List.of(), false);
  }

  @Test
  void namesAreWhatTheKernelAccepts() {
    assertEquals("emu-lab-k1", LinuxNamespaces.netnsName("lab", "k1"));
    String veth = LinuxNamespaces.vethBase("a-very-long-lab-name", "a-very-long-node-name") + "h";
    assertEquals(10, veth.length(), veth); // IFNAMSIZ allows 15
    assertEquals(veth, LinuxNamespaces.vethBase("a-very-long-lab-name", "a-very-long-node-name") + "h");
  }
}
