package emu.control.topology;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.ScalarType;
import emu.control.topology.YamlNode.Sequence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML text with Jackson's streaming parser into a {@link YamlNode} tree that keeps each
 * value's line and column (data binding would lose them). Duplicate keys are reported; anchors,
 * aliases and {@code <<} merge keys are resolved.
 */
final class YamlReader {
  private static final YAMLFactory FACTORY = new YAMLFactory();

  private final YAMLParser parser;
  private final Diagnostics diag;
  private final Map<String, YamlNode> anchors = new HashMap<>();

  private YamlReader(YAMLParser parser, Diagnostics diag) {
    this.parser = parser;
    this.diag = diag;
  }

  /** The document's root, or null if the file is empty or not valid YAML (the problem is recorded). */
  static YamlNode read(String text, Diagnostics diag) {
    try (YAMLParser p = FACTORY.createParser(text)) {
      YamlReader reader = new YamlReader(p, diag);
      JsonToken first = p.nextToken();
      if (first == null) {
        diag.error(1, 1, "the file is empty: a topology needs at least 'name:' and 'topology:' with 'nodes:'");
        return null;
      }
      YamlNode root = reader.value(first);
      if (p.nextToken() != null) {
        JsonLocation at = p.currentTokenLocation();
        diag.error(at.getLineNr(), at.getColumnNr(),
            "a second YAML document starts here; a topology file holds exactly one (remove the extra '---' part)");
      }
      return root;
    } catch (JsonProcessingException e) {
      syntaxError(e, diag);
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does no I/O
    }
  }

  private YamlNode value(JsonToken token) throws IOException {
    JsonLocation at = parser.currentTokenLocation();
    int line = at.getLineNr();
    int column = at.getColumnNr();
    Object anchor = parser.getObjectId();
    YamlNode node = switch (token) {
      case START_OBJECT -> mapping(line, column);
      case START_ARRAY -> sequence(line, column);
      case VALUE_STRING -> parser.isCurrentAlias()
          ? alias(parser.getText(), line, column)
          : new Scalar(ScalarType.STRING, parser.getText(), null, line, column);
      case VALUE_NUMBER_INT -> new Scalar(ScalarType.INTEGER, parser.getText(), parser.getBigIntegerValue(), line, column);
      case VALUE_NUMBER_FLOAT -> new Scalar(ScalarType.FLOAT, parser.getText(), null, line, column);
      case VALUE_TRUE, VALUE_FALSE -> new Scalar(ScalarType.BOOLEAN, parser.getText(), null, line, column);
      case VALUE_NULL -> new Scalar(ScalarType.NULL, "", null, line, column);
      default -> new Scalar(ScalarType.STRING, String.valueOf(parser.getText()), null, line, column);
    };
    if (anchor != null && !parser.isCurrentAlias()) {
      anchors.put(anchor.toString(), node);
    }
    return node;
  }

  private YamlNode alias(String name, int line, int column) {
    YamlNode target = anchors.get(name);
    if (target == null) {
      diag.error(line, column, "alias '*" + name + "' refers to no anchor '&" + name + "' defined before it");
      return new Scalar(ScalarType.NULL, "", null, line, column);
    }
    return target instanceof Scalar s ? s.at(line, column) : target;
  }

  private Mapping mapping(int line, int column) throws IOException {
    Map<String, Entry> seen = new LinkedHashMap<>();
    List<Mapping> merges = new ArrayList<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      JsonLocation at = parser.currentTokenLocation();
      Scalar key = new Scalar(ScalarType.STRING, parser.currentName(), null, at.getLineNr(), at.getColumnNr());
      YamlNode value = value(parser.nextToken());
      if (key.text().equals("<<")) {
        merge(key, value, merges);
        continue;
      }
      Entry first = seen.get(key.text());
      if (first != null) {
        diag.error(key, "duplicate key '" + key.text() + "' (first set at line " + first.key().line()
            + "); keys must be unique");
      } else {
        seen.put(key.text(), new Entry(key, value));
      }
    }
    for (Mapping m : merges) {
      for (Entry e : m.entries()) {
        seen.putIfAbsent(e.name(), e);
      }
    }
    return new Mapping(List.copyOf(seen.values()), line, column);
  }

  private void merge(Scalar key, YamlNode value, List<Mapping> merges) {
    if (value instanceof Mapping m) {
      merges.add(m);
      return;
    }
    if (value instanceof Sequence s && s.items().stream().allMatch(i -> i instanceof Mapping)) {
      s.items().forEach(i -> merges.add((Mapping) i));
      return;
    }
    diag.error(key, "merge key '<<' needs a map (or a list of maps), such as '<<: *defaults', not " + value.describe());
  }

  private Sequence sequence(int line, int column) throws IOException {
    List<YamlNode> items = new ArrayList<>();
    JsonToken t;
    while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
      items.add(value(t));
    }
    return new Sequence(List.copyOf(items), line, column);
  }

  private static void syntaxError(JsonProcessingException e, Diagnostics diag) {
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
      Mark mark = m.getProblemMark();
      String message = "YAML syntax error: " + oneLine(m.getProblem());
      Mark context = m.getContextMark();
      if (m.getContext() != null && context != null && context.getLine() != mark.getLine()) {
        message += " (" + oneLine(m.getContext()) + " that starts at line " + (context.getLine() + 1) + ")";
      }
      diag.error(mark.getLine() + 1, mark.getColumn() + 1, message);
      return;
    }
    JsonLocation at = e.getLocation();
    int line = at == null ? 1 : Math.max(1, at.getLineNr());
    int column = at == null ? 1 : Math.max(1, at.getColumnNr());
    String detail = oneLine(e.getOriginalMessage());
    if (detail.startsWith("Expected a field name")) {
      detail = "map keys must be plain names, not lists or maps";
    }
    diag.error(line, column, "YAML syntax error: " + detail);
  }

  private static String oneLine(String s) {
    return s == null ? "unreadable YAML" : s.strip().replaceAll("\\s*\\n\\s*", " ");
  }
}
