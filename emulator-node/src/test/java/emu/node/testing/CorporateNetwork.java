package emu.node.testing;

import emu.link.wire.MacAddress;

/**
 * The seed's corporate network (connection-process.md sections 1-4):
 *
 * <pre>
 *  client 192.168.1.100/24 --+
 *                            sw1 -- eth0 192.168.1.1/24  r1  eth1 192.168.5.1/24 -- server 192.168.5.100/24
 *  client2 192.168.1.101/24 -+        (gateway of both LAN hosts)                   (gateway 192.168.5.1)
 * </pre>
 *
 * r1 has no default route, so anything outside the two subnets is unreachable from it. The
 * second LAN host is optional; {@link #spare} is a free switch port with a {@link Tap} on it.
 */
public final class CorporateNetwork {
  public static final String CLIENT_MAC = "02:00:00:01:00:64";
  public static final String CLIENT2_MAC = "02:00:00:01:00:65";
  public static final String R1_ETH0_MAC = "02:00:00:01:00:01";
  public static final String R1_ETH1_MAC = "02:00:00:05:00:01";
  public static final String SERVER_MAC = "02:00:00:05:00:64";

  public final VirtualLab lab;
  public final LabNode client;
  public final LabNode client2;
  public final LabSwitch sw1;
  public final LabNode r1;
  public final LabNode server;
  /** A tap on a spare sw1 port: the test as one more device on the LAN. */
  public final Tap spare;

  private CorporateNetwork(VirtualLab lab, boolean withClient2, int serverLinkMtu) {
    this.lab = lab;
    sw1 = lab.bridge("sw1");
    client = lab.host("client");
    r1 = lab.router("r1");
    server = lab.host("server");
    lab.connect(client, "eth0", CLIENT_MAC, "192.168.1.100/24", sw1, "p1");
    if (withClient2) {
      client2 = lab.host("client2");
      lab.connect(client2, "eth0", CLIENT2_MAC, "192.168.1.101/24", sw1, "p2");
    } else {
      client2 = null;
    }
    lab.connect(r1, "eth0", R1_ETH0_MAC, "192.168.1.1/24", sw1, "p3");
    lab.connect(r1, "eth1", R1_ETH1_MAC, "192.168.5.1/24", server, "eth0", SERVER_MAC, "192.168.5.100/24",
        serverLinkMtu);
    spare = lab.tap(sw1, "p9");
    client.defaultRoute("192.168.1.1");
    if (client2 != null) {
      client2.defaultRoute("192.168.1.1");
    }
    server.defaultRoute("192.168.5.1");
  }

  /** Builds and starts the network (client2 included). */
  public static CorporateNetwork start(VirtualLab lab) {
    return start(lab, true, VirtualLab.DEFAULT_MTU);
  }

  public static CorporateNetwork start(VirtualLab lab, boolean withClient2, int serverLinkMtu) {
    CorporateNetwork n = new CorporateNetwork(lab, withClient2, serverLinkMtu);
    lab.start();
    return n;
  }

  public static long mac(String text) {
    return MacAddress.parse(text).bits();
  }

  /** Forgets every node's recorded frames and trace events. */
  public void clearRecords() {
    client.clearRecords();
    if (client2 != null) {
      client2.clearRecords();
    }
    r1.clearRecords();
    server.clearRecords();
    sw1.clearRecords();
    spare.clear();
  }
}
