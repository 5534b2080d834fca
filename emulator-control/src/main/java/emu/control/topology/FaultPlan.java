package emu.control.topology;

import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.ScalarType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the top-level {@code faults:} list once links are resolved: each item is a string
 * {@code at TIME VERB ARGS...}; names must exist in the lab, interfaces must be linked, impairment
 * words must be good. Every problem is reported at the item's line, quoting it.
 */
final class FaultPlan {
  private static final Pattern TIME = Pattern.compile("([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))(ms|s)?");
  private static final BigDecimal NANOS_PER_MS = BigDecimal.valueOf(1_000_000L);
  private static final BigDecimal NANOS_PER_S = BigDecimal.valueOf(1_000_000_000L);
  private static final List<String> ON_IFACE = List.of(FaultSpec.CLEAR, FaultSpec.DOWN, FaultSpec.UP);
  private static final List<String> ON_NODE =
      List.of(FaultSpec.KILL, FaultSpec.RESTART, FaultSpec.PAUSE, FaultSpec.RESUME);

  private final Diagnostics diag;
  private final Draft.Lab lab;

  FaultPlan(Diagnostics diag, Draft.Lab lab) {
    this.diag = diag;
    this.lab = lab;
  }

  void run() {
    for (YamlNode item : lab.faultItems) {
      FaultSpec f = fault(item);
      if (f != null) {
        lab.faults.add(f);
      }
    }
  }

  /** One item's problems are collected here, then all reported at its place. */
  private final class Item {
    final Scalar at;
    final String prefix;
    /** The item's time as written once it is known to be good, for examples. */
    String when = "2s";
    boolean ok = true;

    Item(Scalar at) {
      this.at = at;
      this.prefix = "fault '" + at.text().strip() + "': ";
    }

    void error(String message) {
      diag.error(at, prefix + message);
      ok = false;
    }
  }

  private FaultSpec fault(YamlNode node) {
    if (!(node instanceof Scalar s) || s.type() != ScalarType.STRING || s.text().isBlank()) {
      diag.error(node, "a fault must be a string like " + example("2s") + " or 'at 5s kill " + exampleNode()
          + "', not " + node.describe());
      return null;
    }
    Item item = new Item(s);
    String text = s.text().strip();
    List<String> t = Arrays.asList(text.split("\\s+"));
    if (!t.get(0).equals("at")) {
      item.error("a fault starts with 'at TIME', like " + example("2s"));
      return null;
    }
    if (t.size() < 2) {
      item.error("no time after 'at'; write it like " + example("2s"));
      return null;
    }
    Long nanos = time(item, t.get(1));
    if (nanos != null) {
      item.when = t.get(1);
    }
    if (t.size() < 3) {
      item.error("nothing to do after 'at " + t.get(1) + "'; add one of " + String.join(", ", FaultSpec.VERBS));
      return null;
    }
    String verb = t.get(2);
    List<String> args = t.subList(3, t.size());
    Map<String, String> words = new LinkedHashMap<>();
    if (!FaultSpec.VERBS.contains(verb)) {
      item.error("unknown verb '" + verb + "'" + MapFields.didYouMean(verb, FaultSpec.VERBS) + "; use one of "
          + String.join(", ", FaultSpec.VERBS));
      return null;
    }
    List<String> names = switch (verb) {
      case FaultSpec.SET -> set(item, args, words);
      case FaultSpec.PARTITION -> partition(item, args);
      case FaultSpec.HEAL -> {
        if (!args.isEmpty()) {
          item.error("heal takes nothing after it (it undoes every partition); got '" + String.join(" ", args) + "'");
        }
        yield List.of();
      }
      default -> {
        boolean onIface = ON_IFACE.contains(verb);
        String want = "one " + (onIface ? "interface node:iface" : "node") + ", like 'at " + item.when + " " + verb
            + " " + (onIface ? exampleIface() : exampleNode()) + "'";
        if (args.size() != 1) {
          item.error(verb + " takes " + want + "; got " + (args.isEmpty() ? "nothing" : args.size() + " ("
              + String.join(" ", args) + ")"));
        } else if (onIface) {
          endpoint(item, verb, args.get(0));
        } else {
          node(item, verb, args.get(0));
        }
        yield args;
      }
    };
    if (!item.ok || nanos == null) {
      return null;
    }
    return new FaultSpec(nanos, verb, names, words, text, s.line());
  }

  /** The time in nanoseconds, or null (reported). */
  private Long time(Item item, String word) {
    Matcher m = TIME.matcher(word);
    if (!m.matches()) {
      item.error("time '" + word + "' is not a time; write seconds or milliseconds, like 2s, 1.5s or 250ms");
      return null;
    }
    BigDecimal value = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
    if (m.group(2) == null) {
      String n = value.abs().toPlainString();
      item.error("time '" + word + "' has no unit; write '" + n + "s' (or '" + n + "ms')");
      return null;
    }
    if (value.signum() < 0) {
      item.error("time '" + word + "' is negative; faults happen from 0s (the lab's start) on");
      return null;
    }
    BigDecimal nanos = value.multiply(m.group(2).equals("ms") ? NANOS_PER_MS : NANOS_PER_S)
        .setScale(0, RoundingMode.HALF_UP);
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      item.error("time '" + word + "' is too far away; keep it under 292 years");
      return null;
    }
    return nanos.longValueExact();
  }

  private List<String> set(Item item, List<String> args, Map<String, String> words) {
    if (args.isEmpty()) {
      item.error("set takes an interface and words with values, like " + example(item.when));
      return args;
    }
    endpoint(item, "set", args.get(0));
    List<String> pairs = args.subList(1, args.size());
    if (pairs.isEmpty()) {
      item.error("set " + args.get(0) + " has no impairment words; add words with values, like 'loss 30% delay 10ms'");
    }
    for (int k = 0; k < pairs.size(); k += 2) {
      String word = pairs.get(k);
      String unknown = Impairments.unknown(word);
      if (unknown != null) {
        item.error(unknown);
        continue;
      }
      if (k + 1 == pairs.size()) {
        item.error("'" + word + "' has no value; words and values alternate, like 'loss 30% delay 10ms'");
        continue;
      }
      String value = pairs.get(k + 1);
      if (words.containsKey(word)) {
        item.error("sets '" + word + "' twice (" + words.get(word) + " and " + value + "); give it once");
        continue;
      }
      String problem = Impairments.value(word, value);
      if (problem != null) {
        item.error(problem);
        continue;
      }
      words.put(word, value);
    }
    if (!words.isEmpty() && words.size() * 2 == pairs.size()) {
      String problem = Impairments.change(words);
      if (problem != null) {
        item.error(problem);
      }
    }
    return args.subList(0, 1);
  }

  private List<String> partition(Item item, List<String> args) {
    if (args.isEmpty()) {
      item.error("partition takes the nodes to cut off from the rest, like 'at " + item.when + " partition "
          + exampleNode() + "'");
      return args;
    }
    Set<String> seen = new LinkedHashSet<>();
    boolean allKnown = true;
    for (String a : args) {
      allKnown &= node(item, "partition", a);
      if (!seen.add(a)) {
        item.error("partition names " + a + " twice");
      }
    }
    if (allKnown && seen.containsAll(lab.nodes.keySet())) {
      item.error("partition names every node of the lab, so no node is left on the other side; name only the"
          + " nodes to cut off from the rest");
    }
    return args;
  }

  /** Checks that {@code name} is a node of the lab; false if not (reported). */
  private boolean node(Item item, String verb, String name) {
    if (lab.nodes.containsKey(name)) {
      return true;
    }
    int colon = name.indexOf(':');
    if (colon > 0 && lab.nodes.containsKey(name.substring(0, colon))) {
      item.error(verb + " takes a node, not an interface: write '" + name.substring(0, colon) + "'");
    } else {
      item.error("no node named " + name + MapFields.didYouMean(name, lab.nodes.keySet()));
    }
    return false;
  }

  /** Checks that {@code text} names a linked interface, node:iface. */
  private void endpoint(Item item, String verb, String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
      Draft.Node n = lab.nodes.get(text);
      String hint = "like " + (n == null ? exampleIface() : text + ":" + linked(n).stream().findFirst().orElse("eth0"));
      item.error(verb + " takes an interface written node:iface, " + hint + "; got '" + text + "'");
      return;
    }
    String nodeName = text.substring(0, colon);
    String ifname = text.substring(colon + 1);
    Draft.Node n = lab.nodes.get(nodeName);
    if (n == null) {
      item.error("no node named " + nodeName + MapFields.didYouMean(nodeName, lab.nodes.keySet()));
      return;
    }
    Draft.Iface i = n.iface(ifname);
    List<String> linked = linked(n);
    String choices = linked.isEmpty() ? nodeName + " has no linked interfaces"
        : "the linked interfaces of " + nodeName + " are " + String.join(", ", linked);
    if (i == null) {
      item.error(nodeName + " has no interface " + ifname + MapFields.didYouMean(ifname, linked) + "; " + choices);
    } else if (i.parent != null) {
      // a fault acts on a link, and a subinterface has none of its own
      item.error("interface " + text + " is a VLAN subinterface: its frames cross " + nodeName + ":" + i.parent
          + "'s link, so a fault names " + nodeName + ":" + i.parent + " (and acts on all its VLANs)");
    } else if (!i.linked) {
      item.error("interface " + text + " is not part of any link, so there is no traffic to act on; " + choices);
    }
  }

  /** A set fault at {@code when} on an interface of this lab. */
  private String example(String when) {
    return "'at " + when + " set " + exampleIface() + " loss 30% delay 10ms'";
  }

  /** The lab's first linked interface, for examples. */
  private String exampleIface() {
    for (Draft.Node n : lab.nodes.values()) {
      List<String> linked = linked(n);
      if (!linked.isEmpty()) {
        return n.name + ":" + linked.get(0);
      }
    }
    return "r1:eth1";
  }

  /** The lab's first node, for examples. */
  private String exampleNode() {
    return lab.nodes.isEmpty() ? "payroll" : lab.nodes.keySet().iterator().next();
  }

  private static List<String> linked(Draft.Node n) {
    List<String> out = new ArrayList<>();
    for (Draft.Iface i : n.ifaces) {
      if (i.linked) {
        out.add(i.name);
      }
    }
    return out;
  }
}
