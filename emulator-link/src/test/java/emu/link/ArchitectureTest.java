package emu.link;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import emu.link.testing.PackageCycles;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What crosses a wire knows nothing of the nodes or the control plane above it, and its packages
 * point one way. The cycle rule is also run against a deliberate cycle in test code.
 */
class ArchitectureTest {
  private static JavaClasses link;

  @BeforeAll
  static void importLink() {
    link = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("emu.link");
  }

  @Test
  void packagesHaveNoCycles() {
    PackageCycles.none("emu.link").check(link);
  }

  @Test
  void theLinkKnowsNothingOfNodesOrTheControlPlane() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("emu.node..", "emu.control..").check(link);
  }

  @Test
  void theCycleRuleCatchesACycle() {
    JavaClasses fixtures = new ClassFileImporter().importPackages("emu.link.archfixture");
    assertTrue(PackageCycles.none("emu.link.archfixture").evaluate(fixtures).hasViolation(),
        "archfixture.a and archfixture.b import each other");
  }

  @Test
  void theCycleRuleCountsTheRootPackage() {
    JavaClasses fixtures = new ClassFileImporter().importPackages("emu.link.archroot");
    assertTrue(PackageCycles.none("emu.link.archroot").evaluate(fixtures).hasViolation(),
        "archroot.Root and archroot.sub.Sub import each other");
    assertFalse(com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices()
        .matching("emu.link.archroot.(*)..").should().beFreeOfCycles().evaluate(fixtures).hasViolation(),
        "ArchUnit's plain slices leave the root's classes out: why PackageCycles exists");
  }
}
