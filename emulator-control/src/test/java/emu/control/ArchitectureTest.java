package emu.control;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import emu.link.testing.PackageCycles;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The control plane's packages depend on each other in one direction: no cycle between them,
 * and each uses only packages of the tiers below its own (the order written down in
 * {@code emu.control.cli}'s package-info). Test code is not looked at.
 */
@AnalyzeClasses(packages = "emu.control", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  /** The packages under emu.control, tier by tier from the bottom up. */
  static final List<List<String>> TIERS = List.of(
      List.of("topology", "linux", "narrative"),
      List.of("state", "plan"),
      List.of("process"),
      List.of("lab", "k8s"),
      List.of("controller", "report"),
      List.of("console"),
      List.of("run"),
      List.of("cli"));

  @ArchTest
  static final ArchRule noCycleBetweenPackages = cycleRule("emu.control");

  @ArchTest
  static final ArchRule eachPackageUsesOnlyTiersBelowIt = tiers("emu.control", TIERS);

  /**
   * The layout library (Eclipse ELK, with Guava and EMF) is for drawings only: nothing outside the
   * report package may use it, so the code a node JVM runs never loads it (node JVMs share emu.jar).
   */
  @ArchTest
  static final ArchRule onlyTheReportLaysOutGraphs = noClasses().that().resideOutsideOfPackage("emu.control.report..")
      .should().dependOnClassesThat().resideInAnyPackage("org.eclipse.elk..", "org.eclipse.emf..");

  static ArchRule cycleRule(String root) {
    return PackageCycles.none(root);
  }

  /**
   * A package of {@code tiers} may use its own classes and those of the tiers below it; not its
   * peers in the same tier, nor anything above.
   */
  static LayeredArchitecture tiers(String root, List<List<String>> tiers) {
    LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers();
    for (List<String> tier : tiers) {
      for (String pkg : tier) {
        rule = rule.layer(pkg).definedBy(root + "." + pkg + "..");
      }
    }
    List<String> below = new ArrayList<>();
    for (List<String> tier : tiers) {
      for (String pkg : tier) {
        rule = below.isEmpty() ? rule.whereLayer(pkg).mayNotAccessAnyLayer()
            : rule.whereLayer(pkg).mayOnlyAccessLayers(below.toArray(String[]::new));
      }
      below.addAll(tier);
    }
    return rule;
  }

  @Test
  void everyPackageHasItsTier() {
    JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("emu.control");
    Set<String> packages = new TreeSet<>();
    for (JavaClass c : classes) {
      packages.add(c.getPackageName().replaceFirst("^emu\\.control\\.", "").replaceFirst("\\..*", ""));
    }
    Set<String> placed = new TreeSet<>();
    TIERS.forEach(placed::addAll);
    assertEquals(placed, packages, "a new package under emu.control needs its place in TIERS");
  }

  /** The rules above can fail: a deliberate cycle in test code (archfixture.a and .b) breaks both. */
  @Test
  void aCycleAndABackEdgeAreCaught() {
    JavaClasses fixture = new ClassFileImporter().importPackages("emu.control.archfixture");
    assertEquals(2, fixture.size());
    assertTrue(cycleRule("emu.control.archfixture").evaluate(fixture).hasViolation(), "the cycle a -> b -> a");
    assertTrue(tiers("emu.control.archfixture", List.of(List.of("a"), List.of("b"))).evaluate(fixture).hasViolation(),
        "a, below b, uses b");
  }
}
