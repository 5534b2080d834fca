package emu.control.topology;

import java.math.BigInteger;
import java.util.List;

/** A YAML value that remembers where it was written, so every problem can name its line and column. */
sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Mapping, YamlNode.Sequence {
  /** 1-based. */
  int line();

  /** 1-based. */
  int column();

  /** How the value reads in a message about a wrong type: "a map", "the number 42", ... */
  String describe();

  /** What YAML made of a scalar. */
  enum ScalarType { STRING, INTEGER, FLOAT, BOOLEAN, NULL }

  /** A string, number, boolean or null; {@code text} is as written, {@code integer} set for INTEGER. */
  record Scalar(ScalarType type, String text, BigInteger integer, int line, int column) implements YamlNode {
    boolean isNull() {
      return type == ScalarType.NULL;
    }

    /** The same value as seen at another place (an alias), so messages point at the use. */
    Scalar at(int newLine, int newColumn) {
      return new Scalar(type, text, integer, newLine, newColumn);
    }

    @Override
    public String describe() {
      return switch (type) {
        case STRING -> "the string '" + text + "'";
        case INTEGER, FLOAT -> "the number " + text;
        case BOOLEAN -> "the boolean " + text;
        case NULL -> "nothing";
      };
    }
  }

  /** A key as written, with its value. */
  record Entry(Scalar key, YamlNode value) {
    String name() {
      return key.text();
    }
  }

  /** A map with unique keys, in file order. */
  record Mapping(List<Entry> entries, int line, int column) implements YamlNode {
    Entry entry(String key) {
      for (Entry e : entries) {
        if (e.name().equals(key)) {
          return e;
        }
      }
      return null;
    }

    @Override
    public String describe() {
      return "a map";
    }
  }

  /** A list, in file order. */
  record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
    @Override
    public String describe() {
      return "a list";
    }
  }
}
