package emu.control.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.control.topology.Topology;
import emu.control.topology.TopologyLoader;
import emu.node.config.HostsTable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a node costs on Kubernetes does not grow with the lab: the same node (same name, same
 * shape) has objects of the same size in a lab of 22 nodes and in one of 1,751, and no object of
 * the larger lab comes near Kubernetes' 1 MiB limit. Before the name table was shared, each node's
 * ConfigMap carried the whole table (some 27 bytes a node) and one Secret every node's key and TLS
 * key (some 400 bytes a node): 1,751 nodes made each ConfigMap 47 KB larger than at 22 and the
 * Secret 700 KB.
 */
class ManifestSizeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MIB = 1 << 20;
  /**
   * Allowed difference for one object: an ECDSA signature's DER length varies by a few bytes
   * (the integers' leading zeros), so a certificate's PEM does too.
   */
  private static final int SLACK = 16;

  private static Map<String, Integer> sizes(Topology topo) throws Exception {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (ObjectNode o : K8sManifests.render(topo, K8sManifests.DEFAULT_IMAGE, null)) {
      // JSON is what kubectl sends and the API server stores
      out.put(o.path("kind").asText() + "/" + o.path("metadata").path("name").asText(),
          JSON.writeValueAsBytes(o).length);
    }
    return out;
  }

  @Test
  void aNodesObjectsAreTheSameSizeInASmallLabAndALargeOne() throws Exception {
    Topology small = TopologyLoader.parse(Path.of("tree.yml"), TreeLab.yaml("tree", 3, 5));
    Topology large = TopologyLoader.parse(Path.of("tree.yml"), TreeLab.yaml("tree", 250, 5));
    assertEquals(22, small.nodes().size());
    assertEquals(1751, large.nodes().size());
    Map<String, Integer> a = sizes(small);
    Map<String, Integer> b = sizes(large);

    List<String> grew = new ArrayList<>();
    int compared = 0;
    for (Map.Entry<String, Integer> e : a.entrySet()) {
      String key = e.getKey();
      boolean perNode = key.startsWith("Pod/") || key.startsWith("Service/") || key.startsWith("ConfigMap/emu-node-")
          || key.startsWith("Secret/emu-node-");
      if (!perNode || key.endsWith("/core") || key.endsWith("-core")) {
        continue; // the core router has an interface per edge: it is a larger node, not the same one
      }
      compared++;
      int delta = b.get(key) - e.getValue();
      if (Math.abs(delta) > SLACK) {
        grew.add(key + " " + e.getValue() + " -> " + b.get(key));
      }
    }
    assertEquals(4 * 21, compared, "each node but the core: its Pod, Service, ConfigMap and Secret");
    assertEquals(List.of(), grew, "per-node objects that grew with the lab");
    // the lab-wide objects that a node needs do not grow with it either, but the name table (once)
    assertTrue(Math.abs(b.get("Secret/" + K8sManifests.SECRET) - a.get("Secret/" + K8sManifests.SECRET)) <= SLACK,
        "the control plane's Secret: " + a.get("Secret/" + K8sManifests.SECRET) + " -> "
            + b.get("Secret/" + K8sManifests.SECRET));

    Map.Entry<String, Integer> largest = b.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
    assertTrue(largest.getValue() < MIB / 8, "the largest object, " + largest + " bytes, is far under 1 MiB");
    // the table: every node that has an address, once, in one ConfigMap
    assertTrue(b.get("ConfigMap/" + K8sManifests.HOSTS) > 1751 * 20, "the table names every node");
  }

  @Test
  void theNameTableHoldsEveryAddressedNodeOnce() throws Exception {
    Topology topo = TopologyLoader.parse(Path.of("tree.yml"), TreeLab.yaml("tree", 3, 5));
    ObjectNode cm = K8sManifests.render(topo, K8sManifests.DEFAULT_IMAGE, null).stream()
        .filter(o -> o.path("metadata").path("name").asText().equals(K8sManifests.HOSTS)).findFirst().orElseThrow();
    HostsTable t = JSON.readValue(cm.path("data").path(HostsTable.FILE).asText(), HostsTable.class);
    assertEquals(22 - 3, t.hosts().size(), "every node but the switches");
    assertEquals("10.255.0.1", t.hosts().get("core"));
    assertEquals("10.3.0.6", t.hosts().get("h15"));
  }
}
