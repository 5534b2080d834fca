package emu.control.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An initramfs written from Java: a cpio archive in the kernel's "newc" format (the format of
 * {@code cpio -o -H newc}, documented in the kernel's Documentation/driver-api/early-userspace/
 * buffer-format.rst), uncompressed, which the kernel unpacks as it would a gzipped one. Written
 * here rather than with {@code cpio | gzip} so the VM test needs no more tools than QEMU, a
 * kernel and a static busybox, and so the archive holds a {@code /dev/console} device node
 * (the kernel opens it for init's output) without running as root. Entries are written in the
 * order added; parents must come before their children.
 */
final class Initramfs {
  private static final int DIR = 0040000;
  private static final int FILE = 0100000;
  private static final int LINK = 0120000;
  private static final int CHAR = 0020000;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private int inode = 1;

  Initramfs dir(String path) {
    return entry(path, DIR | 0755, new byte[0], 0, 0);
  }

  Initramfs file(String path, int perm, byte[] content) {
    return entry(path, FILE | perm, content, 0, 0);
  }

  Initramfs symlink(String path, String target) {
    return entry(path, LINK | 0777, target.getBytes(StandardCharsets.UTF_8), 0, 0);
  }

  Initramfs charDevice(String path, int major, int minor) {
    return entry(path, CHAR | 0600, new byte[0], major, minor);
  }

  /** The archive with its trailer, written to {@code to}. */
  void write(Path to) throws IOException {
    entry("TRAILER!!!", 0, new byte[0], 0, 0);
    try (OutputStream o = Files.newOutputStream(to)) {
      out.writeTo(o);
    }
  }

  private Initramfs entry(String path, int mode, byte[] data, int rdevMajor, int rdevMinor) {
    byte[] name = (path.startsWith("/") ? path.substring(1) : path).getBytes(StandardCharsets.UTF_8);
    StringBuilder h = new StringBuilder("070701");
    // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
    long[] fields = {inode++, mode, 0, 0, (mode & DIR) == DIR ? 2 : 1, 0, data.length, 0, 0, rdevMajor, rdevMinor,
        name.length + 1, 0};
    for (long f : fields) {
      h.append(String.format("%08X", f));
    }
    out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(name);
    out.write(0);
    pad();
    out.writeBytes(data);
    pad();
    return this;
  }

  /** newc pads the header plus name, and the data, to 4 bytes. */
  private void pad() {
    while (out.size() % 4 != 0) {
      out.write(0);
    }
  }

  /**
   * The module files that {@code wanted} need, dependencies first, from {@code modules.dep} of a
   * kernel's module folder (what {@code modprobe} reads: "path: dependency paths", each
   * dependency's own list on its own line, so the walk is a depth-first one). For virtio-net:
   * virtio_ring, virtio, failover, net_failover, virtio_net.
   */
  static List<Path> modulesInLoadOrder(Path moduleDir, List<String> wanted) throws IOException {
    Map<String, List<String>> deps = new HashMap<>();
    Map<String, String> byName = new HashMap<>();
    for (String line : Files.readAllLines(moduleDir.resolve("modules.dep"))) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String path = line.substring(0, colon).strip();
      String rest = line.substring(colon + 1).strip();
      deps.put(path, rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
      byName.put(moduleName(path), path);
    }
    // a module built into the kernel (modules.builtin) needs no loading
    Set<String> builtin = new java.util.HashSet<>();
    Path builtinList = moduleDir.resolve("modules.builtin");
    if (Files.isReadable(builtinList)) {
      Files.readAllLines(builtinList).forEach(l -> builtin.add(moduleName(l.strip())));
    }
    Set<String> order = new LinkedHashSet<>();
    for (String name : wanted) {
      String path = byName.get(name);
      if (path == null && builtin.contains(name)) {
        continue;
      }
      if (path == null) {
        throw new IOException("module " + name + " is neither in " + moduleDir.resolve("modules.dep")
            + " nor built in");
      }
      visit(path, deps, order, new LinkedHashSet<>());
    }
    List<Path> files = new ArrayList<>();
    for (String p : order) {
      files.add(moduleDir.resolve(p));
    }
    return files;
  }

  private static void visit(String path, Map<String, List<String>> deps, Set<String> order, Set<String> onPath)
      throws IOException {
    if (order.contains(path)) {
      return;
    }
    if (!onPath.add(path)) {
      throw new IOException("modules.dep has a cycle through " + path);
    }
    // modules.dep lists a module's dependencies with the last to load first (modprobe loads them backwards)
    List<String> ds = new ArrayList<>(deps.getOrDefault(path, List.of()));
    java.util.Collections.reverse(ds);
    for (String d : ds) {
      visit(d, deps, order, onPath);
    }
    onPath.remove(path);
    order.add(path);
  }

  /** kernel/drivers/net/virtio_net.ko.xz is module virtio_net (file names may use - where names use _). */
  static String moduleName(String path) {
    String f = path.substring(path.lastIndexOf('/') + 1);
    return f.substring(0, f.indexOf(".ko")).replace('-', '_');
  }
}
