package emu.control.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.link.tunnel.Transports;
import emu.node.config.NodeConfig;
import emu.node.host.EmulatedNode;
import emu.node.mgmt.ManagementServer;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} of many nodes, asked of real nodes: many real emu nodes (EmulatedNode, each
 * with its real ManagementServer on loopback and its own key, all on one event loop group)
 * in this JVM, since a thousand node processes do not fit the machine, plus two "paused" nodes
 * whose port accepts and never answers (what a SIGSTOPped node's kernel does). Asked through
 * {@link FanOut} as {@code emu status} and the control API ask: every node's answer, in order, and
 * the silent ones reported as such. {@code -Demu.test.statusNodes=N} asks N nodes and prints how
 * long one after the other and at once took (BENCHMARKS.md; not asserted).
 */
class ManyNodesStatusTest {
  private record Served(String name, String key, InetSocketAddress at) {}

  @Test
  void everyNodeAnswersInOrderAndSilentOnesDoNotHoldUpTheRest(@TempDir Path dir) throws Exception {
    int count = Integer.getInteger("emu.test.statusNodes", 100);
    EventLoopGroup group = Transports.singleThreadGroup();
    List<EmulatedNode> nodes = new ArrayList<>();
    List<ManagementServer> servers = new ArrayList<>();
    List<Served> served = new ArrayList<>();
    List<ServerSocket> silent = new ArrayList<>();
    List<Socket> accepted = new ArrayList<>();
    try {
      EventLoop loop = group.next();
      for (int i = 0; i < count; i++) {
        String name = "h" + i;
        String key = "key-of-" + name;
        NodeConfig c = NodeConfig.builder("many", name, "host").interfaces(List.of()).routes(List.of())
            .hosts(Map.of()).management(new NodeConfig.Management("127.0.0.1", 0, key)).outputDir(dir.toString())
            .seed(i).build();
        EmulatedNode node = loop.submit(() -> EmulatedNode.create(c, loop)).get();
        node.open();
        loop.submit(node::start).get();
        ManagementServer mgmt = new ManagementServer(node, key, () -> { });
        nodes.add(node);
        servers.add(mgmt);
        served.add(new Served(name, key, mgmt.bind(new InetSocketAddress("127.0.0.1", 0))));
        if (i == count / 3 || i == 2 * count / 3) {
          ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
          silent.add(s);
          Thread t = new Thread(() -> {
            try {
              while (true) {
                accepted.add(s.accept()); // accepted by the kernel and then never answered
              }
            } catch (IOException e) {
              // closed at the end
            }
          });
          t.setDaemon(true);
          t.start();
          served.add(new Served("paused" + silent.size(), "k", new InetSocketAddress("127.0.0.1", s.getLocalPort())));
        }
      }
      List<NodeClient> clients = served.stream()
          .map(s -> new NodeClient(s.name(), "127.0.0.1:" + s.at().getPort(), s.key())).toList();
      AtomicInteger inFlight = new AtomicInteger();
      AtomicInteger most = new AtomicInteger();
      long t0 = System.nanoTime();
      List<String> rows = FanOut.map(clients, 8, c -> {
        most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
          JsonNode st = c.status();
          return c.node() + " running " + st.path("interfaces").size();
        } catch (IOException e) {
          return c.node() + " not answering: " + e.getMessage();
        } finally {
          inFlight.decrementAndGet();
        }
      });
      long atOnce = System.nanoTime() - t0;
      assertEquals(served.size(), rows.size());
      for (int i = 0; i < served.size(); i++) {
        String name = served.get(i).name();
        assertTrue(rows.get(i).startsWith(name + (name.startsWith("paused") ? " not answering" : " running 0")),
            rows.get(i));
      }
      assertTrue(most.get() <= 8, "at most 8 in flight, saw " + most.get());
      assertTrue(most.get() > 1, "asked at once");
      if (Integer.getInteger("emu.test.statusNodes") != null) {
        t0 = System.nanoTime();
        for (NodeClient c : clients) {
          try {
            c.status();
          } catch (IOException e) {
            // as above
          }
        }
        long oneByOne = System.nanoTime() - t0;
        t0 = System.nanoTime();
        FanOut.map(clients, c -> {
          try {
            return c.status().size();
          } catch (IOException e) {
            return -1;
          }
        });
        System.out.printf("status of %d nodes (2 of them silent): one by one %d ms, fan-out of %d %d ms, fan-out "
                + "of 8 %d ms%n", served.size(), oneByOne / 1_000_000, FanOut.PARALLELISM,
            (System.nanoTime() - t0) / 1_000_000, atOnce / 1_000_000);
      }
    } finally {
      for (ServerSocket s : silent) {
        s.close();
      }
      for (Socket s : accepted) {
        s.close();
      }
      for (int i = 0; i < nodes.size(); i++) {
        EmulatedNode n = nodes.get(i);
        ManagementServer m = servers.get(i);
        n.loop().submit(() -> {
          m.close();
          n.close();
        }).get(5, TimeUnit.SECONDS);
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }
}
