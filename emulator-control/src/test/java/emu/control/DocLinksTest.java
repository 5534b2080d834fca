package emu.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project's documents point only at files of the project: whoever clones it has nothing
 * else. Relative links in every Markdown file (README.md, docs/*.md, ...) and the documents the
 * example topologies' comments cite must exist inside the repository. Before docs/connection-
 * process.md the seed topologies cited shared/seed/connection-process.md, a file outside it.
 */
class DocLinksTest {
  /** Tests run in the module's folder; the repository is its parent. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** A Markdown link or image: [text](target) or [text](target "title"). */
  private static final Pattern LINK = Pattern.compile("\\]\\(<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\)");
  /** A Markdown file named in a YAML comment. */
  private static final Pattern MD_NAME = Pattern.compile("[A-Za-z0-9_./-]+\\.md\\b");

  @Test
  void relativeLinksInMarkdownPointIntoTheRepository() throws IOException {
    List<Path> docs = files(".md");
    assertTrue(docs.contains(ROOT.resolve("README.md")), "README.md not found under " + ROOT);
    List<String> broken = new ArrayList<>();
    for (Path doc : docs) {
      String text = Files.readString(doc);
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.startsWith("#") || target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
          continue; // an anchor in the same file, or a URL (http:, https:, mailto:)
        }
        String file = target.replaceFirst("#.*", "");
        check(doc, doc.getParent().resolve(file), target, broken);
      }
    }
    assertEquals(List.of(), broken);
  }

  @Test
  void documentsCitedByTheTopologiesAreInTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path yml : files(".yml")) {
      for (String line : Files.readAllLines(yml)) {
        if (!line.strip().startsWith("#")) {
          continue;
        }
        Matcher m = MD_NAME.matcher(line);
        while (m.find()) {
          check(yml, ROOT.resolve(m.group()), m.group(), broken); // cited from the repository's root
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  private static void check(Path from, Path target, String written, List<String> broken) {
    Path t = target.normalize();
    if (!t.startsWith(ROOT)) {
      broken.add(ROOT.relativize(from) + ": " + written + " is outside the repository");
    } else if (!Files.exists(t)) {
      broken.add(ROOT.relativize(from) + ": " + written + " does not exist");
    }
  }

  /** The repository's files ending in {@code suffix}, outside build output and Git's folder. */
  private static List<Path> files(String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(ROOT)) {
      return s.filter(p -> p.toString().endsWith(suffix))
          .filter(p -> {
            String rel = ROOT.relativize(p).toString();
            return !rel.startsWith(".git/") && !rel.startsWith("runs/") && !rel.contains("target/");
          })
          .sorted().toList();
    }
  }
}
