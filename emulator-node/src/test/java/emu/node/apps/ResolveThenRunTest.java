package emu.node.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emu.node.names.NameResolver;
import emu.node.testing.CommandRun;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/** The opening the commands that talk to a named destination share, with a resolver the test answers. */
class ResolveThenRunTest {
  /** Holds the question until the test answers it. */
  static final class LateResolver implements NameResolver {
    final List<String> asked = new ArrayList<>();
    IntConsumer done;
    Consumer<String> fail;

    @Override
    public void resolve(String nameOrAddress, IntConsumer done, Consumer<String> fail) {
      asked.add(nameOrAddress);
      this.done = done;
      this.fail = fail;
    }
  }

  final LateResolver resolver = new LateResolver();
  final CommandRun io = new CommandRun("client", "tool web");
  final List<Integer> ran = new ArrayList<>();

  @Test
  void theAddressGoesToTheRun() {
    ResolveThenRun.start(resolver, "web", io, "tool", 2, ran::add);
    assertEquals(List.of("web"), resolver.asked);
    assertTrue(ran.isEmpty());
    resolver.done.accept(0x0A000002);
    assertEquals(List.of(0x0A000002), ran);
    assertFalse(io.exited());
    assertEquals(List.of(), io.lines());
    io.cancel(); // after the name resolved, hanging up is the run's to handle
    assertFalse(io.exited());
  }

  @Test
  void aNameThatDoesNotResolveIsSaidWithTheToolAndTheStatus() {
    ResolveThenRun.start(resolver, "nowhere", io, "tool", 2, ran::add);
    resolver.fail.accept("Name or service not known");
    io.assertExit(2);
    assertEquals(List.of("tool: nowhere: Name or service not known"), io.lines());
    assertTrue(ran.isEmpty());

    CommandRun other = new CommandRun("client", "tool nowhere");
    ResolveThenRun.start(resolver, "nowhere", other, "other", 1, ran::add);
    resolver.fail.accept("Temporary failure in name resolution");
    other.assertExit(1);
    assertEquals(List.of("other: nowhere: Temporary failure in name resolution"), other.lines());
  }

  @Test
  void aCommandMaySayItsOwnFailure() {
    ResolveThenRun.start(resolver, "nowhere", io, why -> {
      io.out("nowhere: " + why);
      io.out("and more");
      io.exit(3);
    }, ran::add);
    resolver.fail.accept("Name or service not known");
    io.assertExit(3);
    assertEquals(List.of("nowhere: Name or service not known", "and more"), io.lines());
  }

  @Test
  void hangingUpWhileResolvingExitsOneAndTheAnswerIsIgnored() {
    ResolveThenRun.start(resolver, "web", io, "tool", 2, ran::add);
    io.cancel();
    io.assertExit(1);
    resolver.done.accept(0x0A000002);
    assertTrue(ran.isEmpty());

    CommandRun failing = new CommandRun("client", "tool nowhere");
    List<String> said = new ArrayList<>();
    ResolveThenRun.start(resolver, "nowhere", failing, said::add, ran::add);
    failing.cancel();
    failing.assertExit(1);
    resolver.fail.accept("Name or service not known");
    assertTrue(said.isEmpty());
    assertEquals(List.of(), failing.lines());
  }
}
