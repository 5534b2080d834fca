package emu.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import emu.link.testing.PackageCycles;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's packages point one way, and the data path reports facts, never text. Each rule is
 * also run against small fixtures in test code that break it, so a rule that could never fail
 * would fail here.
 */
class ArchitectureTest {
  private static JavaClasses node;

  @BeforeAll
  static void importNode() {
    node = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("emu.node");
  }

  /**
   * The data path ({@code packages}) cannot build an event or write to a tracer: it reports to
   * its own observer interfaces, and the node's tracing turns those calls into events.
   */
  static ArchRule dataPathBuildsNoEvents(String... packages) {
    return noClasses().that().resideInAnyPackage(packages).should()
        .dependOnClassesThat().resideInAnyPackage("emu.node.event..", "emu.node.trace..")
        .because("the data path reports values to observers; sentences are the control plane's renderer's");
  }

  /** The observers of the data path take values (addresses, ports, TTLs, routes), not text. */
  static ArchRule observersTakeNoText(String... packages) {
    return methods().that().areDeclaredInClassesThat().resideInAnyPackage(packages)
        .and().areDeclaredInClassesThat().haveSimpleNameEndingWith("Observer")
        .should(new ArchCondition<JavaMethod>("take no String parameter") {
          @Override
          public void check(JavaMethod m, ConditionEvents events) {
            boolean text = m.getRawParameterTypes().stream().anyMatch(t -> t.isEquivalentTo(String.class));
            events.add(new SimpleConditionEvent(m, !text, m.getFullName() + (text ? " takes text" : " takes values")));
          }
        });
  }

  /**
   * The routing protocol ({@code packages}) sits below the host: the host will drive it, never the
   * reverse, so it may not reach the host, the management plane, the apps, the shell or the
   * node's entry point.
   */
  static ArchRule routingSitsBelowTheHost(String... packages) {
    return noClasses().that().resideInAnyPackage(packages).should().dependOnClassesThat()
        .resideInAnyPackage("emu.node", "emu.node.host..", "emu.node.mgmt..", "emu.node.apps..", "emu.node.shell..")
        .because("the host feeds the protocol and installs its routes; the protocol knows the wire and the stack");
  }

  private static final String[] DATA_PATH = {"emu.node.stack..", "emu.node.ipv6..", "emu.node.tcp..", "emu.node.bridge.."};

  @Test
  void packagesHaveNoCycles() {
    PackageCycles.none("emu.node").check(node);
  }

  @Test
  void theNodeKnowsNothingOfTheControlPlane() {
    noClasses().should().dependOnClassesThat().resideInAPackage("emu.control..").check(node);
  }

  @Test
  void theDataPathReportsFactsThroughObserversNeverText() {
    dataPathBuildsNoEvents(DATA_PATH).check(node);
    observersTakeNoText(DATA_PATH).check(node);
  }

  @Test
  void routingSitsBelowTheHost() {
    routingSitsBelowTheHost("emu.node.ospf..").check(node);
  }

  @Test
  void theEventModelIsDataOnly() {
    // events are records (or the sealed interfaces and enums that group them), readable by the
    // control plane without the node's machinery
    noClasses().that().resideInAPackage("emu.node.event..").should().dependOnClassesThat()
        .resideInAnyPackage("emu.node.trace..", "emu.node.channel..", "io.netty..").check(node);
  }

  @Test
  void theRulesCatchWhatTheyForbid() {
    JavaClasses fixtures = new ClassFileImporter().importPackages("emu.node.archfixture");
    assertTrue(PackageCycles.none("emu.node.archfixture").evaluate(fixtures).hasViolation(),
        "archfixture.a and archfixture.b import each other");
    assertTrue(dataPathBuildsNoEvents("emu.node.archfixture.stack..").evaluate(fixtures).hasViolation(),
        "archfixture.stack.ChattyStage builds an event");
    assertTrue(observersTakeNoText("emu.node.archfixture.stack..").evaluate(fixtures).hasViolation(),
        "archfixture.stack.ChattyObserver takes a sentence");
    assertTrue(routingSitsBelowTheHost("emu.node.archfixture.ospf..").evaluate(fixtures).hasViolation(),
        "archfixture.ospf.HostBoundRouting holds the host");
    JavaClass chatty = fixtures.get("emu.node.archfixture.stack.ChattyStage");
    assertTrue(chatty != null, "the fixture was imported");
  }
}
