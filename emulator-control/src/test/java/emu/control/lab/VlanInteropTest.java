package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.TestLocks.KernelNetwork;
import emu.control.lab.Tools.Cli;
import emu.control.linux.LinuxNamespaces;
import emu.node.testing.Tshark;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real kernel's 802.1Q against emu's VLAN subinterfaces: router r1 has eth0.10 (10.10.0.1/24)
 * and eth0.20 (10.20.0.1/24) on the one link of its eth0, emu host h2 sits behind its eth1.
 *
 * <p>Across an emu switch whose two ports are 802.1Q trunks (VLANs 10, 20 and 30), so the
 * kernel's tagged frames cross an emu trunk, a QEMU VM ({@link TinyVm}: Debian's cloud kernel, its 8021q module
 * loaded, {@code src/test/resources/qemu/init-vlan}) makes eth0.10 and eth0.20 as any Linux host
 * does ({@code ip link add link eth0 name eth0.10 type vlan id 10}) and pings r1 on both, a
 * 1500-byte packet included (the link carries the tag on top of the MTU); r1 pings back on both,
 * h2 reaches both VLANs through r1 (routing between VLANs on a stick), the VM's VLAN 30, which r1
 * has no subinterface for, is dropped and counted ({@code vlan_unknown}), and tshark decodes r1's
 * capture as 802.1Q with the right VIDs and nothing malformed. A VM rather than a {@code kind:
 * linux} namespace because a kernel may be built without 802.1Q (CONFIG_VLAN_8021Q; this
 * machine's is): the cloud kernel has it as a module.
 *
 * <p>A {@code kind: linux} node, whose namespace gets the same VLAN devices from emu, runs in
 * {@link #aLinuxNodesVlansAreTheKernels} where the running kernel has 802.1Q (skipped, saying so,
 * where it has not: a kernel's configuration, not a package CI can install).
 */
@KernelNetwork
class VlanInteropTest {
  @TempDir
  static Path state;

  static final String MAC = "52:54:00:12:34:57";

  @BeforeAll
  static void stateDir() {
    System.setProperty("emu.stateDir", state.toString());
  }

  @AfterAll
  static void nothingLeft() throws Exception {
    assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    assertTrue(LinuxNamespaces.namespaces().stream().noneMatch(n -> n.startsWith("emu-vlanif")),
        "namespaces left behind: " + LinuxNamespaces.namespaces());
  }

  static String vmLab(int emuPort, int vmPort) {
    return """
        name: vlanvm
        topology:
          nodes:
            vm:
              kind: external
              interfaces: {eth0: {peer: '127.0.0.1:%d'}}     # its VLANs are the VM's own business
            sw:
              kind: switch                                   # the VM's VLANs cross an emu trunk to r1
              interfaces:
                p1: {port: %d, trunk: [10, 20, 30]}
                p2: {trunk: [10, 20, 30]}
            r1:
              kind: router
              interfaces:
                eth0: {}                                     # tagged frames only
                eth0.10: {address: 10.10.0.1/24}
                eth0.20: {address: 10.20.0.1/24}
                eth1: {address: 10.30.0.1/24}
            h2:
              kind: host
              interfaces: {eth0: {address: 10.30.0.2/24}}
              gateway: 10.30.0.1
          links:
            - endpoints: ["vm:eth0", "sw:p1"]
            - endpoints: ["sw:p2", "r1:eth0"]
            - endpoints: ["r1:eth1", "h2:eth0"]
        """.formatted(vmPort, emuPort);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aVmsKernelVlansTalkToEmusSubinterfaces(@TempDir Path dir) throws Exception {
    long started = System.nanoTime();
    Path qemu = Tools.require("qemu-system-x86_64", "qemu-system-x86");
    Path tshark = Tools.require("tshark");
    TinyVm.Kernel kernel = TinyVm.cloudKernel();
    Path busybox = TinyVm.staticBusybox();
    Path initrd = dir.resolve("initramfs.cpio");
    List<String> modules = new ArrayList<>(TinyVm.MODULES);
    modules.add("8021q");
    TinyVm.buildInitramfs(initrd, kernel, busybox, new byte[0], "init-vlan", modules);
    int[] ports = freeUdpPorts();
    Files.writeString(dir.resolve("vlan.yml"), vmLab(ports[0], ports[1]));
    Path out = dir.resolve("out");
    try {
      ok("up", dir.resolve("vlan.yml").toString(), "--out", out.toString());
      try (TinyVm vm = TinyVm.boot(qemu, kernel, initrd, "vm_stay=120", ports[0], ports[1], MAC, dir)) {
        vm.await("ready", 180);
        List<String> m = vm.markers();
        System.err.println("VM's markers:\n  " + String.join("\n  ", m));
        assertEquals("vlan eth0.10 | 10 | eth0;eth0.20 | 20 | eth0;", find(m, "vlan "), "/proc/net/vlan/config");
        assertEquals("mtu eth0 1500 eth0.10 1500", find(m, "mtu "));
        for (String vid : List.of("10", "20")) {
          assertTrue(find(m, "ping 10." + vid + ".0.1 ").contains("3 packets transmitted, 3 packets received"),
              m.toString());
        }
        assertTrue(find(m, "ping 1500-byte").contains("1 packets received"), m.toString());
        assertTrue(find(m, "ping on eth0.30").contains("0 packets received"), m.toString());
        Map<String, Double> r1 = StatsTest.samples("vlanvm", "r1");
        assertTrue(r1.getOrDefault("emu_drops_total{reason=\"vlan_unknown\"}", 0.0) >= 1, r1.toString());

        pings("r1", "10.10.0.10");
        pings("r1", "10.20.0.10");
        pings("h2", "10.10.0.10");
        pings("h2", "10.20.0.10"); // in by VLAN 20, the answer back by VLAN 10 (the VM's route)
        Cli link = ok("exec", "r1", "--", "ip", "-s", "link");
        assertTrue(link.out().matches("(?s).*\\d+: eth0\\.20@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 .*"),
            link.out());
        r1 = StatsTest.samples("vlanvm", "r1");
        for (String sub : List.of("eth0.10", "eth0.20")) {
          assertTrue(r1.getOrDefault("emu_interface_receive_frames_total{interface=\"" + sub + "\"}", 0.0) >= 4,
              sub + ": " + r1);
          assertTrue(r1.getOrDefault("emu_interface_transmit_frames_total{interface=\"" + sub + "\"}", 0.0) >= 4,
              sub + ": " + r1);
        }
      }
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
      System.err.println("aVmsKernelVlansTalkToEmusSubinterfaces took " + (System.nanoTime() - started) / 1_000_000
          + " ms");
    }
    checkCapture(tshark, out.resolve("r1-eth0.pcap"), dir, true);
  }

  /** tshark's view of r1's eth0: clean, ICMP and ARP on VLANs 10 and 20 (and 30's ARP), nothing untagged. */
  private static void checkCapture(Path tshark, Path pcap, Path dir, boolean vlan30) throws Exception {
    Tools.assertCapturesClean(pcap.getParent());
    List<String> tagged = Tshark.lines(tshark, pcap, dir.resolve("tshark.err"), "-Y", "vlan", "-T", "fields",
        "-e", "vlan.id", "-e", "vlan.etype", "-e", "_ws.col.Protocol");
    for (String vid : List.of("10", "20")) {
      assertTrue(tagged.stream().anyMatch(l -> l.startsWith(vid + "\t0x0800") && l.endsWith("ICMP")),
          "ICMP on VLAN " + vid + ":\n" + tagged);
      assertTrue(tagged.stream().anyMatch(l -> l.startsWith(vid + "\t0x0806")), "ARP on VLAN " + vid + ":\n" + tagged);
    }
    if (vlan30) {
      assertTrue(tagged.stream().anyMatch(l -> l.startsWith("30\t0x0806")), "the VM's ARP on VLAN 30:\n" + tagged);
    }
    List<String> untagged = Tshark.lines(tshark, pcap, dir.resolve("tshark.err"), "-Y", "!vlan && (ip || arp)");
    assertEquals(List.of(), untagged, "every IPv4 and ARP frame on r1's eth0 is tagged");
  }

  static final Path LINUX_LAB = Path.of("src/test/resources/labs/linux-vlan.yml");

  @Test
  void aLinuxNodesVlansAreTheKernels(@TempDir Path dir) throws Exception {
    Tools.requireRoot();
    Path tshark = Tools.require("tshark");
    if (!kernelHas8021q()) {
      // a property of the running kernel, not a tool CI could install: skipped even under EMU_REQUIRE_TOOLS
      String why = "this kernel has no 802.1Q (CONFIG_VLAN_8021Q): a linux node cannot have VLAN devices here;"
          + " aVmsKernelVlansTalkToEmusSubinterfaces tests a kernel's 802.1Q in a VM";
      System.err.println("SKIPPED: " + why);
      Assumptions.abort(why);
    }
    Path out = dir.resolve("out");
    ok("up", LINUX_LAB.toString(), "--out", out.toString());
    try {
      Cli dev = ok("exec", "l1", "--", "ip", "-d", "link", "show", "eth0.20");
      assertTrue(dev.out().contains("eth0.20@eth0:") && dev.out().contains("vlan protocol 802.1Q id 20"), dev.out());
      pings("l1", "10.10.0.1");
      pings("l1", "10.20.0.1");
      pings("r1", "10.20.0.10");
      // l1 answers h2 through VLAN 10 whichever VLAN asked: a strict reverse-path filter would object
      ok("exec", "l1", "--", "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0",
          "net.ipv4.conf.eth0/20.rp_filter=0");
      pings("h2", "10.10.0.10");
      pings("h2", "10.20.0.10");
    } finally {
      Cli down = emu("down");
      assertEquals(0, down.exit(), down.err());
    }
    checkCapture(tshark, out.resolve("r1-eth0.pcap"), dir, false);
  }

  /** Whether the running kernel makes VLAN devices: tried in a namespace of our own, removed after. */
  private static boolean kernelHas8021q() throws Exception {
    String ns = "emu-vlanif-probe-" + ProcessHandle.current().pid();
    Tools.Result add = Tools.run(List.of("ip", "netns", "add", ns), 10);
    assertEquals(0, add.exit(), add.errors());
    try {
      Tools.Result vlan = Tools.run(List.of("ip", "-n", ns, "link", "add", "link", "lo", "name", "lo.5", "type",
          "vlan", "id", "5"), 10);
      return vlan.exit() == 0;
    } finally {
      Tools.run(List.of("ip", "netns", "del", ns), 10);
    }
  }

  private static void pings(String node, String target) {
    Cli ping = ok("exec", node, "--", "ping", "-c", "2", "-W", "5", target);
    assertTrue(ping.out().contains(" 2 received") || ping.out().contains("2 packets received"),
        node + " -> " + target + ":\n" + ping.out());
  }

  private static String find(List<String> markers, String prefix) {
    return markers.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
  }

  /** Two distinct UDP ports free now (both held while picking), pinned as QEMU's udp= needs. */
  private static int[] freeUdpPorts() throws Exception {
    try (DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
         DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      return new int[] {a.getLocalPort(), b.getLocalPort()};
    }
  }
}
