package emu.control.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topology file is code: the zone and content files it names are read from disk and sent to
 * nodes (a content file to anyone who asks the lab's HTTPS server). They must lie under the
 * topology's folder, after '..' and symlinks are resolved, unless {@code --allow-files} allows
 * their folder, and be no bigger than a zone (4 MiB) or a page (16 MiB) needs. Before, a zone
 * of ../../etc/passwd was read (and reported line by line as a bad zone), and any size was read
 * whole into memory.
 */
class FileAccessTest {
  private static final String ZONE = """
      $TTL 300
      @        IN SOA  ns1.corp.com. hostmaster.corp.com. ( 1 3600 600 86400 60 )
               IN NS   ns1
      ns1      IN A    10.0.0.53
      """;

  /** A DNS server with one zone from {@code zoneFile} and an HTTPS server with {@code content}. */
  private static String lab(String zoneFile, String content) {
    return """
        name: lab
        topology:
          defaults: {kind: host}
          nodes:
            ns:
              interfaces:
                eth0: {address: 10.0.0.53/24}
              dns:
                zones:
                  corp.com: %s
            www:
              interfaces:
                eth0: {address: 10.0.0.80/24}
              https: {names: [www.corp.com], content: {/: %s}}
          links:
            - endpoints: [ns:eth0, www:eth0]
        """.formatted(zoneFile, content);
  }

  /** Writes {@code yaml} as DIR/lab/lab.yml with a good zone and page beside it; returns the file. */
  private static Path write(Path dir, String yaml) throws IOException {
    Path folder = Files.createDirectories(dir.resolve("lab"));
    Files.writeString(folder.resolve("corp.com.zone"), ZONE);
    Files.writeString(folder.resolve("index.html"), "<p>hi</p>");
    return Files.writeString(folder.resolve("lab.yml"), yaml);
  }

  private static List<Problem> problems(Path file, List<Path> allow) {
    return assertThrows(TopologyException.class, () -> TopologyLoader.load(file, allow)).problems();
  }

  @Test
  void filesUnderTheTopologysFolderAreRead(@TempDir Path dir) throws Exception {
    Path file = write(dir, lab("corp.com.zone", "./index.html"));
    Topology t = TopologyLoader.load(file);
    assertEquals(dir.resolve("lab/corp.com.zone"), t.node("ns").dnsZones().get("corp.com"));
    assertEquals(dir.resolve("lab/index.html"), t.node("www").https().content().get("/"));
  }

  @Test
  void aZoneOutsideTheFolderIsRefusedSayingHowToAllowIt(@TempDir Path dir) throws Exception {
    Path file = write(dir, lab("../../etc/passwd", "index.html"));
    List<Problem> all = problems(file, List.of());
    assertEquals(1, all.size(), all::toString);
    Problem p = all.get(0);
    assertEquals(file, p.file());
    assertEquals(10, p.line());
    assertEquals(21, p.column());
    Path resolved = dir.getParent().resolve("etc/passwd"); // two folders up from DIR/lab
    assertEquals("zone file ../../etc/passwd is " + resolved + ", outside the topology's folder " + dir.resolve("lab")
        + ": a topology reads files only under its own folder; move the file there, or allow its folder with"
        + " --allow-files " + resolved.getParent(), p.message());
  }

  @Test
  void aTopologyCannotReadTheSystemsFilesEvenWhereTheyExist(@TempDir Path dir) throws Exception {
    Path file = write(dir, lab("corp.com.zone", "/etc/hostname"));
    Problem p = problems(file, List.of()).get(0);
    assertEquals(14, p.line());
    assertTrue(p.message().startsWith("content file /etc/hostname is /etc/hostname, outside the topology's folder"),
        p.message());
  }

  @Test
  void aSymlinkOutOfTheFolderIsRefusedUnlessAllowed(@TempDir Path dir) throws Exception {
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Files.writeString(shared.resolve("corp.com.zone"), ZONE);
    Path file = write(dir, lab("link.zone", "index.html"));
    Files.createSymbolicLink(file.resolveSibling("link.zone"), shared.resolve("corp.com.zone"));
    Problem p = problems(file, List.of()).get(0);
    assertTrue(p.message().startsWith("zone file link.zone is " + shared.resolve("corp.com.zone") + ", outside"),
        p.message());
    assertTrue(p.message().endsWith("--allow-files " + shared), p.message());

    Topology t = TopologyLoader.load(file, List.of(shared));
    assertEquals(file.resolveSibling("link.zone"), t.node("ns").dnsZones().get("corp.com"));
    // and a file named by '..' in an allowed folder
    TopologyLoader.load(Files.writeString(file, lab("../shared/corp.com.zone", "index.html")), List.of(shared));
  }

  @Test
  void oversizedFilesAreRefusedNamingTheCap(@TempDir Path dir) throws Exception {
    Path file = write(dir, lab("big.zone", "big.html"));
    sparse(file.resolveSibling("big.zone"), (4L << 20) + 1);
    sparse(file.resolveSibling("big.html"), (16L << 20) + 1);
    List<Problem> all = problems(file, List.of());
    assertEquals(List.of("zone file big.zone is 4194305 bytes, over the 4 MiB cap for a zone file",
        "content file big.html is 16777217 bytes, over the 16 MiB cap for a content file"),
        all.stream().map(Problem::message).toList());
    assertEquals(List.of(10, 14), all.stream().map(Problem::line).toList());

    sparse(file.resolveSibling("big.html"), 16L << 20); // exactly the cap is allowed
    List<Problem> atCap = problems(file, List.of());
    assertEquals(1, atCap.size(), atCap::toString);
  }

  /** A file of {@code size} bytes that takes no room on disk. */
  private static void sparse(Path p, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(size);
    }
  }
}
