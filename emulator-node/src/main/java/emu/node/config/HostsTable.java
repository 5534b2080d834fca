package emu.node.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lab's name table, written once per lab ({@value #FILE} next to the node configurations;
 * on Kubernetes one ConfigMap mounted into every pod) and read by each node at start, instead of
 * a copy in every node's configuration: with a copy per node the lab's configuration grows with
 * the square of its size (a 1,101-node lab's ConfigMaps were 32 KB each, almost all of it the
 * table). A node's own entries from the topology ({@code hosts:} of a node) stay in its
 * configuration and override the table's, see {@link #merge}.
 *
 * @param hosts name to IPv4 address
 * @param hosts6 name to IPv6 address, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostsTable(Map<String, String> hosts, Map<String, String> hosts6) {
  /** The file's name in the lab's state folder. */
  public static final String FILE = "hosts.json";

  /** Not indented: at 10,000 nodes the table is some 300 KB this way, under Kubernetes' 1 MiB per object. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public void write(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  public String json() throws IOException {
    return JSON.writeValueAsString(this);
  }

  /** Reads a table, or throws an IOException saying which file and what is wrong with it. */
  public static HostsTable read(Path file) throws IOException {
    HostsTable t;
    try {
      t = JSON.readValue(file.toFile(), HostsTable.class);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new IOException("the lab's name table " + file + " is missing", e);
    } catch (IOException e) {
      throw new IOException("the lab's name table " + file + " is not valid: " + e.getMessage(), e);
    }
    if (t == null || t.hosts() == null) {
      throw new IOException("the lab's name table " + file + " has no \"hosts\" object");
    }
    return t;
  }

  /**
   * The table a node uses: this lab-wide table with the node's own entries on top. A name the
   * node gives in one family only is that name in both: the table's entry of the other family
   * (another node's address, or the node's own) must not send dual-stack clients elsewhere.
   */
  public HostsTable merge(Map<String, String> own, Map<String, String> own6) {
    Map<String, String> v4 = new LinkedHashMap<>(hosts);
    Map<String, String> v6 = hosts6 == null ? new LinkedHashMap<>() : new LinkedHashMap<>(hosts6);
    Map<String, String> o4 = own == null ? Map.of() : own;
    Map<String, String> o6 = own6 == null ? Map.of() : own6;
    v4.putAll(o4);
    v6.putAll(o6);
    o4.keySet().stream().filter(n -> !o6.containsKey(n)).forEach(v6::remove);
    o6.keySet().stream().filter(n -> !o4.containsKey(n)).forEach(v4::remove);
    return new HostsTable(v4, v6.isEmpty() ? null : v6);
  }

  /** Where a configuration's {@code hostsFile} is: relative to the configuration's folder, or absolute. */
  static Path resolve(Path configFile, String hostsFile) {
    Path dir = configFile.toAbsolutePath().getParent();
    return dir == null ? Path.of(hostsFile) : dir.resolve(hostsFile);
  }
}
