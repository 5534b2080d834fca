package emu.control.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real virtual machine for lab tests: {@code qemu-system-x86_64} under TCG (no KVM needed),
 * Debian's {@code linux-image-cloud-amd64} kernel (small, virtio drivers as modules) and an
 * initramfs built at run time from the static busybox ({@code busybox-static}), the virtio-net
 * modules in load order, the {@code /init} script in {@code src/test/resources/qemu} and a data
 * file. Its NIC is virtio-net on QEMU's {@code -netdev socket,udp=}, which is emu's raw link
 * framing, so the VM is a lab's {@code kind: external} node. The serial console goes to a file
 * the test reads; the process is always killed at {@link #close} (by its handle, never by name).
 */
final class TinyVm implements AutoCloseable {
  static final Path RESOURCES = Path.of("src/test/resources/qemu").toAbsolutePath();
  /** What virtio-net needs on this kernel; their dependencies are added from modules.dep. */
  static final List<String> MODULES = List.of("virtio_pci", "virtio_net");

  /** A kernel image and its modules' folder. */
  record Kernel(Path image, Path modules) {}

  private final Process process;
  private final Path serial;

  private TinyVm(Process process, Path serial) {
    this.process = process;
    this.serial = serial;
  }

  /** vmlinuz-6.1.0-57-cloud-amd64: its numbers, 6 1 0 57, compared as numbers (57 is newer than 9). */
  private static String kernelVersion(Path image) {
    return image.getFileName().toString().replaceAll("[^0-9]+", " ").strip();
  }

  private static int compareVersions(String a, String b) {
    String[] x = a.split(" ");
    String[] y = b.split(" ");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  /**
   * Debian's cloud kernel with its modules ({@code /boot/vmlinuz-VERSION-cloud-amd64} and
   * {@code /lib/modules/VERSION}), the newest if several; skips or (EMU_REQUIRE_TOOLS=1) fails
   * without one.
   */
  static Kernel cloudKernel() throws IOException {
    List<Path> images = new ArrayList<>();
    if (Files.isDirectory(Path.of("/boot"))) {
      try (Stream<Path> s = Files.list(Path.of("/boot"))) {
        s.filter(p -> p.getFileName().toString().matches("vmlinuz-.*-cloud-amd64") && Files.isReadable(p))
            .sorted(Comparator.comparing(TinyVm::kernelVersion, TinyVm::compareVersions).reversed())
            .forEach(images::add);
      }
    }
    for (Path image : images) {
      Path modules = Path.of("/lib/modules", image.getFileName().toString().substring("vmlinuz-".length()));
      if (Files.isReadable(modules.resolve("modules.dep"))) {
        return new Kernel(image, modules);
      }
    }
    Tools.unavailable("no readable /boot/vmlinuz-*-cloud-amd64 with its /lib/modules (apt-get install"
        + " linux-image-cloud-amd64)");
    return null;
  }

  /**
   * busybox, statically linked (an initramfs has no C library): Debian's busybox-static installs
   * it as /bin/busybox; the dynamically linked {@code busybox} package would not run in the VM.
   */
  static Path staticBusybox() throws IOException {
    Path busybox = Tools.require("busybox", "busybox-static");
    if (!isStatic(busybox)) {
      Tools.unavailable(busybox + " is dynamically linked; the VM needs a static one (apt-get install"
          + " busybox-static)");
    }
    return busybox;
  }

  /** A 64-bit little-endian ELF executable without a PT_INTERP program header (no dynamic loader). */
  static boolean isStatic(Path elf) throws IOException {
    byte[] b;
    try (InputStream in = Files.newInputStream(elf)) {
      b = in.readNBytes(64 * 1024);
    }
    java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (b.length < 64 || h.getInt(0) != 0x464c457f || b[4] != 2 || b[5] != 1) {
      return false; // not ELF64 LSB
    }
    long phoff = h.getLong(0x20);
    int phentsize = h.getShort(0x36) & 0xffff;
    int phnum = h.getShort(0x38) & 0xffff;
    for (int i = 0; i < phnum; i++) {
      long at = phoff + (long) i * phentsize;
      if (at + 4 > b.length) {
        return false;
      }
      if (h.getInt((int) at) == 3) { // PT_INTERP
        return false;
      }
    }
    return true;
  }

  /**
   * Writes the initramfs: busybox with /bin/sh linked to it (init installs the other applets),
   * {@code /init}, udhcpc's script, the bulk receiver, the virtio-net modules and their load order
   * ({@code /lib/modules/order}), {@code /data}, and the directories init mounts on.
   */
  static void buildInitramfs(Path to, Kernel kernel, Path busybox, byte[] data) throws IOException {
    buildInitramfs(to, kernel, busybox, data, "init", MODULES);
  }

  /**
   * The same with another {@code /init} (a file in {@link #RESOURCES}) and other modules to load
   * (their dependencies first): the VLAN test's VM loads the kernel's 802.1Q ({@code 8021q}) too.
   */
  static void buildInitramfs(Path to, Kernel kernel, Path busybox, byte[] data, String init, List<String> modules)
      throws IOException {
    Initramfs fs = new Initramfs().dir("/bin").dir("/dev").charDevice("/dev/console", 5, 1).dir("/proc")
        .dir("/sys").dir("/tmp").dir("/lib").dir("/lib/modules")
        .file("/bin/busybox", 0755, Files.readAllBytes(busybox)).symlink("/bin/sh", "busybox")
        .file("/init", 0755, Files.readAllBytes(RESOURCES.resolve(init)))
        .file("/bin/udhcpc.script", 0755, Files.readAllBytes(RESOURCES.resolve("udhcpc.script")))
        .file("/bin/bulk-sink", 0755, Files.readAllBytes(RESOURCES.resolve("bulk-sink")))
        .file("/data", 0644, data);
    StringBuilder order = new StringBuilder();
    for (Path m : Initramfs.modulesInLoadOrder(kernel.modules(), modules)) {
      String file = m.getFileName().toString();
      String name = file.substring(0, file.indexOf(".ko"));
      fs.file("/lib/modules/" + file, 0644, Files.readAllBytes(m));
      order.append(name).append('\n');
    }
    fs.file("/lib/modules/order", 0644, order.toString().getBytes(StandardCharsets.US_ASCII));
    fs.write(to);
  }

  /**
   * Boots a VM whose one NIC (virtio-net, {@code mac}) sends its frames to emu's end of the link,
   * 127.0.0.1:{@code emuPort}, and receives on 127.0.0.1:{@code vmPort}; {@code append} goes on
   * the kernel command line after the console settings. QEMU's own messages go to
   * {@code dir/qemu.log}, the serial console to {@code dir/serial.log}.
   */
  static TinyVm boot(Path qemu, Kernel kernel, Path initrd, String append, int emuPort, int vmPort, String mac,
      Path dir) throws IOException {
    Path serial = dir.resolve("serial.log");
    List<String> cmd = command(qemu, kernel.image(), initrd, serial, append, emuPort, vmPort, mac);
    System.err.println("booting: " + String.join(" ", cmd));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("qemu.log").toFile()).redirectInput(ProcessBuilder.Redirect.from(
            Path.of("/dev/null").toFile())).start();
    return new TinyVm(p, serial);
  }

  /** The QEMU command line; the README's QEMU section shows the same one. */
  static List<String> command(Path qemu, Path kernel, Path initrd, Path serial, String append, int emuPort,
      int vmPort, String mac) {
    return List.of(qemu.toString(), "-accel", "tcg", "-m", "128M", "-nodefaults", "-no-reboot", "-display", "none",
        "-kernel", kernel.toString(), "-initrd", initrd.toString(),
        "-append", "console=ttyS0 quiet panic=-1 " + append,
        "-serial", "file:" + serial,
        "-netdev", "socket,id=n0,udp=127.0.0.1:" + emuPort + ",localaddr=127.0.0.1:" + vmPort,
        "-device", "virtio-net-pci,netdev=n0,mac=" + mac);
  }

  /** The serial console so far, lines without carriage returns. */
  String serial() throws IOException {
    return Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1).replace("\r", "") : "";
  }

  /** The lines init printed ("EMU-VM ..."), without the prefix. */
  List<String> markers() throws IOException {
    List<String> found = new ArrayList<>();
    for (String line : serial().split("\n")) {
      int at = line.indexOf("EMU-VM ");
      if (at >= 0) {
        found.add(line.substring(at + "EMU-VM ".length()));
      }
    }
    return found;
  }

  /**
   * Waits up to {@code seconds} for init's marker line starting with {@code prefix} and returns
   * it; fails at once, with the console, if init reported a failure or QEMU exited first.
   */
  String await(String prefix, long seconds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      for (String m : markers()) {
        if (m.startsWith(prefix)) {
          return m;
        }
        if (m.startsWith("FAIL")) {
          throw new AssertionError("the VM failed: " + m + "\nserial console:\n" + serial());
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError("QEMU exited (" + process.exitValue() + ") before '" + prefix
            + "'\nserial console:\n" + serial());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no '" + prefix + "' from the VM within " + seconds + " s\nserial console:\n"
            + serial());
      }
      Thread.sleep(100);
    }
  }

  /** Waits up to {@code seconds} for QEMU to exit (init powers the VM off); true if it did. */
  boolean awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  /** Kills QEMU (its own process, by handle) if it still runs, and waits for it to go. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
