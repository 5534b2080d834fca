package emu.node.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import emu.node.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started by a lab without {@code --seed} (its configuration says {@code seeded: false})
 * draws its secrets from a CSPRNG; one from a seeded lab, or from a configuration that predates
 * the choice, from its seeded random, as every node did before.
 */
class NodeSecretsTest {
  private static NodeConfig config() {
    return NodeConfig.builder("lab", "h0", "host").interfaces(List.of(new NodeConfig.Iface("eth0",
        "02:00:00:00:00:01", null, 1500, null, null, null, null, null, null, null, null, true))).hosts(Map.of())
        .outputDir("/tmp").seed(29).build();
  }

  @Test
  void theConfigurationChoosesTheSource(@TempDir Path dir) throws Exception {
    SplittableRandom random = new SplittableRandom(29);
    assertSame(random, EmulatedNode.secrets(config(), random), "no choice recorded: the seeded random");
    assertSame(random, EmulatedNode.secrets(config().withSeeded(true), random));
    NodeConfig unseeded = config().withSeeded(false);
    assertEquals("DRBG", assertInstanceOf(SecureRandom.class, EmulatedNode.secrets(unseeded, random)).getAlgorithm());

    // and the choice survives the JSON the control plane writes and the node reads
    Path file = dir.resolve("h0.json");
    unseeded.write(file);
    assertEquals(false, NodeConfig.read(file).seeded());
    config().write(file);
    assertNull(NodeConfig.read(file).seeded());
    assertEquals(false, Files.readString(file).contains("seeded"));
  }
}
