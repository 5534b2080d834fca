package emu.control.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parts of a linux node's VLAN devices that run without a kernel that makes them (this
 * machine's has no 802.1Q): status read from {@code ip -j addr show} as iproute2 prints it for a
 * VXLAN device carrying VLAN devices, and the sysctl names of a dotted device.
 */
class LinuxVlanStatusTest {
  /** iproute2 6.1's {@code ip -j addr show} in a namespace whose eth0 (VXLAN) carries eth0.10 and eth0.20. */
  private static final String IP_ADDR = """
      [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"qdisc":"noop","operstate":"DOWN",
        "group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00",
        "broadcast":"00:00:00:00:00:00","addr_info":[]},
       {"ifindex":2,"link_index":7,"ifname":"emuaaaaaan","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],
        "mtu":9000,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether",
        "address":"6e:1c:2a:3b:4c:5d","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,
        "addr_info":[{"family":"inet","local":"169.254.100.2","prefixlen":24,"scope":"global",
        "label":"emuaaaaaan","valid_life_time":4294967295,"preferred_life_time":4294967295}]},
       {"ifindex":3,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,
        "qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"ether",
        "address":"02:00:00:00:01:00","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[]},
       {"ifindex":4,"link":"eth0","ifname":"eth0.10","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],
        "mtu":1500,"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","group":"default","txqlen":1000,
        "link_type":"ether","address":"02:00:00:00:01:00","broadcast":"ff:ff:ff:ff:ff:ff",
        "addr_info":[{"family":"inet","local":"10.10.0.10","prefixlen":24,"broadcast":"10.10.0.255",
        "scope":"global","label":"eth0.10","valid_life_time":4294967295,"preferred_life_time":4294967295}]},
       {"ifindex":5,"link":"eth0","ifname":"eth0.20","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],
        "mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether",
        "address":"02:00:00:00:01:00","broadcast":"ff:ff:ff:ff:ff:ff",
        "addr_info":[{"family":"inet","local":"10.20.0.10","prefixlen":24,"broadcast":"10.20.0.255",
        "scope":"global","label":"eth0.20","valid_life_time":4294967295,"preferred_life_time":4294967295}]},
       {"ifindex":6,"ifname":"eth0.30","flags":["BROADCAST","MULTICAST","UP"],"mtu":1500,"qdisc":"noqueue",
        "operstate":"NOTPRESENT","group":"default","txqlen":1000,"link_type":"ether",
        "address":"02:00:00:00:01:00","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[]}]
      """;

  @Test
  void aVlanDeviceWhoseParentHasNoCarrierIsDown() throws Exception {
    List<Map<String, Object>> ifs = LinuxNamespaces.interfaces(new ObjectMapper().readTree(IP_ADDR));
    assertEquals(List.of("eth0", "eth0.10", "eth0.20", "eth0.30"), ifs.stream().map(m -> m.get("name")).toList(),
        "lo and emu's underlay veth left out");
    assertEquals(List.of("UP", "DOWN", "UP", "DOWN"), ifs.stream().map(m -> m.get("state")).toList(),
        "UNKNOWN (a VXLAN device that is up) is up; LOWERLAYERDOWN and NOTPRESENT are down");
    assertEquals(true, ifs.get(0).get("vxlan"));
    assertEquals(Map.of("parent", "eth0", "id", 10), ifs.get(1).get("vlan"));
    assertEquals("10.10.0.10/24", ifs.get(1).get("address"));
    assertEquals("02:00:00:00:01:00", ifs.get(1).get("mac"));
    assertEquals(Map.of("parent", "eth0", "id", 30), ifs.get(3).get("vlan"), "no link given: the name's parent");
  }

  @Test
  void aDottedDevicesSysctlIsWrittenWithSlashes() {
    assertEquals("net.ipv6.conf.eth0/10.disable_ipv6", LinuxNamespaces.sysctlKey("eth0.10", "disable_ipv6"));
    assertEquals("net.ipv6.conf.eth0.accept_ra", LinuxNamespaces.sysctlKey("eth0", "accept_ra"));
  }
}
