package emu.link.testing;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The ArchUnit rule every module's ArchitectureTest uses: no cycle between the packages directly
 * under {@code root}, the root package itself counted as one of them (ArchUnit's
 * {@code matching("root.(*)..")} would leave its classes out, and a subpackage importing them
 * back would go unseen).
 */
public final class PackageCycles {
  private PackageCycles() {}

  public static ArchRule none(String root) {
    return slices().assignedFrom(new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass c) {
        String p = c.getPackageName();
        if (p.equals(root)) {
          return SliceIdentifier.of(root);
        }
        if (p.startsWith(root + ".")) {
          return SliceIdentifier.of(root + "." + p.substring(root.length() + 1).split("\\.")[0]);
        }
        return SliceIdentifier.ignore();
      }

      @Override
      public String getDescription() {
        return root + " and each package directly under it";
      }
    }).should().beFreeOfCycles();
  }
}
