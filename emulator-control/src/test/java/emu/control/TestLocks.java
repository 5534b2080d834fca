package emu.control;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Lets this module's test classes run in two surefire forks at once (pom.xml: most lab tests
 * wait on protocol timers, a JVM's start or a peer, so two at a time took 13.5-15 minutes instead
 * of 21 on two cores) while the classes that must not overlap do not:
 *
 * <ul>
 *   <li>{@link KernelNetwork}: classes that change the machine's own network (namespaces, veths,
 *       bridges, VXLAN and TAP devices, FRR daemons, sshd in namespaces) run one at a time; their
 *       names (emu-LAB-NODE namespaces, emut-* bridges) and their checks that nothing is left
 *       behind are machine-wide.
 *   <li>{@link Alone}: classes that measure time (a first ping against a warm one) or load both
 *       cores on their own (a 50-node lab starting, a QEMU VM emulating its CPU) run with no other
 *       class of this module running.
 * </ul>
 *
 * <p>Locks are files under {@code java.io.tmpdir}, locked with {@code fcntl} through
 * {@link FileChannel#lock}, so they hold across the forks' JVMs and are gone with a JVM that dies.
 * Every class takes the machine lock shared ({@link Alone} takes it exclusive); the kernel lock is
 * taken before it, always in that order, so two forks cannot wait on each other. Registered for
 * every class through JUnit's extension auto-detection (META-INF/services).
 */
public final class TestLocks implements BeforeAllCallback, AfterAllCallback {

  /** The class changes the machine's network: it runs alone among such classes. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  public @interface KernelNetwork {}

  /** The class measures time, or loads the machine: it runs with no other class of this module running. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  public @interface Alone {}

  private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "emu-test-locks");
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TestLocks.class);

  /** The locks a class holds, released in reverse order when it ends. */
  private static final class Held implements ExtensionContext.Store.CloseableResource {
    final List<FileLock> locks = new ArrayList<>();

    @Override
    public void close() throws IOException {
      for (int i = locks.size() - 1; i >= 0; i--) {
        FileLock l = locks.get(i);
        l.release();
        l.channel().close();
      }
      locks.clear();
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Class<?> c = context.getRequiredTestClass();
    if (c.isAnnotationPresent(Nested.class)) {
      return; // runs inside its outer class, which holds the locks
    }
    Held held = new Held();
    // Stored first, so that a lock taken before a failure is still released.
    context.getStore(NS).put(Held.class, held);
    if (c.isAnnotationPresent(KernelNetwork.class)) {
      held.locks.add(lock("kernel-network", false));
    }
    held.locks.add(lock("machine", !c.isAnnotationPresent(Alone.class)));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Held held = context.getStore(NS).remove(Held.class, Held.class);
    if (held != null) {
      held.close();
    }
  }

  private static FileLock lock(String name, boolean shared) throws IOException {
    Files.createDirectories(DIR);
    FileChannel ch = FileChannel.open(DIR.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      return ch.lock(0, Long.MAX_VALUE, shared);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }
}
