package emu.control.topology;

import emu.control.topology.YamlNode.Entry;
import emu.control.topology.YamlNode.Mapping;
import emu.control.topology.YamlNode.Scalar;
import emu.control.topology.YamlNode.ScalarType;
import emu.control.topology.YamlNode.Sequence;
import java.util.List;

/**
 * Reads the file's outline (name, topology, defaults, nodes, links, scenario, faults) into a
 * {@link Draft.Lab}; the faults are only collected here, {@link FaultPlan} checks them once links
 * are resolved.
 */
final class LabBinder {
  private static final List<String> TOP_FIELDS = List.of("name", "topology", "scenario", "faults", "hosts");
  private static final List<String> TOPOLOGY_FIELDS = List.of("defaults", "nodes", "links");
  private static final List<String> DEFAULTS_FIELDS = List.of("kind");
  private static final List<String> LINK_FIELDS = List.of("endpoints", "mtu", "impairments", "framing", "vni");
  private static final String ENDPOINTS_EXAMPLE = "[\"h1:eth0\", \"sw1:p1\"]";

  private final Diagnostics diag;

  LabBinder(Diagnostics diag) {
    this.diag = diag;
  }

  /** The lab, or null when the file is not even a map. */
  Draft.Lab bind(YamlNode root) {
    if (root instanceof Scalar s && s.isNull()) {
      diag.error(1, 1, "the file is empty: a topology needs at least 'name:' and 'topology:' with 'nodes:'");
      return null;
    }
    if (!(root instanceof Mapping top)) {
      diag.error(root, "the top level must be a map with 'name:' and 'topology:', not " + root.describe());
      return null;
    }
    Draft.Lab lab = new Draft.Lab();
    MapFields f = new MapFields(top, "the top level", diag, TOP_FIELDS);
    Scalar name = f.text("name");
    if (f.entry("name") == null) {
      diag.error(top, "name is missing: give the lab a name, such as 'name: lab1'");
    } else if (name != null && !Values.NAME.matcher(name.text()).matches()) {
      diag.error(name, "lab name '" + name.text() + "' is invalid: " + Values.NAME_RULE);
    } else if (name != null) {
      lab.name = name.text();
    }
    Entry topology = f.entry("topology");
    if (topology == null) {
      diag.error(top, "topology is missing: add a 'topology:' section with 'nodes:'");
    } else {
      Mapping t = MapFields.asMapping(topology.value(), topology.key(), "'topology'", " with 'nodes:'", diag);
      if (t != null) {
        topology(lab, t, topology.key());
      }
    }
    Sequence scenario = f.sequence("scenario", " of steps like '- h1: ping -c 1 h2'");
    if (scenario != null) {
      scenario.items().forEach(step -> step(lab, step));
    }
    Sequence faults = f.sequence("faults", " of timed faults like '- at 2s down r1:eth1'");
    if (faults != null) {
      lab.faultItems.addAll(faults.items());
    }
    HostBinder hosts = new HostBinder(diag);
    Mapping h = f.mapping("hosts", " of host name to '{address: ADDRESS, ssh: USER@HOST}'");
    if (h != null) {
      hosts.bind(lab, h);
    }
    hosts.place(lab);
    hosts.checkLinks(lab);
    return lab;
  }

  private void topology(Draft.Lab lab, Mapping t, Scalar key) {
    MapFields f = new MapFields(t, "topology", diag, TOPOLOGY_FIELDS);
    String defaultKind = null;
    boolean defaultKindBroken = f.entry("defaults") != null;
    Mapping defaults = f.mapping("defaults", " such as '{kind: host}'");
    if (defaults != null) {
      MapFields d = new MapFields(defaults, "topology.defaults", diag, DEFAULTS_FIELDS);
      Scalar kind = d.text("kind");
      defaultKindBroken = d.entry("kind") != null;
      if (kind != null && NodeBinder.KINDS.contains(kind.text())) {
        defaultKind = kind.text();
        defaultKindBroken = false;
      } else if (kind != null) {
        diag.error(kind, "unknown kind '" + kind.text() + "' in topology.defaults; use host, router, switch, linux or external"
            + MapFields.didYouMean(kind.text(), NodeBinder.KINDS));
      }
    }
    Entry nodes = f.entry("nodes");
    if (nodes == null) {
      diag.error(key, "topology.nodes is missing: declare at least one node under topology.nodes");
    } else {
      Mapping m = MapFields.asMapping(nodes.value(), nodes.key(), "topology.nodes", " of node name to settings", diag);
      if (m != null && m.entries().isEmpty()) {
        diag.error(nodes.key(), "topology.nodes is empty: declare at least one node");
      } else if (m != null) {
        NodeBinder binder = new NodeBinder(diag);
        for (Entry e : m.entries()) {
          lab.nodes.put(e.name(), binder.bind(e.key(), e.value(), defaultKind, defaultKindBroken));
        }
      }
    }
    Sequence links = f.sequence("links", " of {endpoints: " + ENDPOINTS_EXAMPLE + "}");
    if (links != null) {
      links.items().forEach(item -> link(lab, item));
    }
  }

  private void link(Draft.Lab lab, YamlNode item) {
    Mapping m = MapFields.asMapping(item, item, "a link", " like {endpoints: " + ENDPOINTS_EXAMPLE + "}", diag);
    if (m == null) {
      return;
    }
    Draft.Link link = new Draft.Link(m);
    lab.links.add(link);
    MapFields f = new MapFields(m, "link", diag, LINK_FIELDS, Impairments::misplaced);
    Scalar mtu = f.integer("mtu", 68, 9216);
    link.mtu = mtu == null ? null : mtu.integer().intValue();
    Scalar framing = f.text("framing");
    if (framing != null && !List.of("raw", "vxlan").contains(framing.text())) {
      diag.error(framing, "framing '" + framing.text() + "' is not raw (one Ethernet frame per UDP datagram, as QEMU)"
          + " or vxlan (RFC 7348, as a Linux VXLAN device)");
    } else if (framing != null) {
      link.framing = framing.text();
      link.framingAt = framing;
    }
    link.vniAt = f.integer("vni", 1, (1 << 24) - 1);
    link.vni = link.vniAt == null ? null : link.vniAt.integer().intValue();
    Entry endpoints = f.entry("endpoints");
    if (endpoints == null) {
      diag.error(m, "link has no endpoints; write endpoints: " + ENDPOINTS_EXAMPLE);
    } else {
      endpoints(link, endpoints);
    }
    Mapping impairments = f.mapping("impairments", " of words to values, like '{delay: 20ms, loss: 1%}'");
    if (impairments != null) {
      link.impairmentsAt = f.entry("impairments").key();
      link.impairmentsComplete = Impairments.read(impairments, link.label(), link.impairments, diag);
    } else if (f.entry("impairments") != null) {
      link.impairmentsComplete = false;
    }
  }

  private void endpoints(Draft.Link link, Entry endpoints) {
    YamlNode v = endpoints.value();
    if (v instanceof Sequence s && s.items().size() == 2
        && s.items().stream().allMatch(i -> i instanceof Scalar sc && !sc.isNull())) {
      link.aAt = (Scalar) s.items().get(0);
      link.bAt = (Scalar) s.items().get(1);
      link.a = endpoint(link.aAt);
      link.b = endpoint(link.bAt);
      return;
    }
    String got = v instanceof Sequence s ? "a list of " + s.items().size() + " item(s)" : v.describe();
    diag.error(v instanceof Scalar s && s.isNull() ? endpoints.key() : v,
        "link endpoints must be a list of exactly two \"node:iface\" strings, like " + ENDPOINTS_EXAMPLE + "; got " + got);
  }

  private LinkSpec.Endpoint endpoint(Scalar s) {
    String text = s.text();
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
      diag.error(s, "link endpoint '" + text + "' must be written node:iface, like h1:eth0");
      return null;
    }
    String node = text.substring(0, colon).strip();
    String iface = text.substring(colon + 1).strip();
    if (!Values.isIfname(iface)) {
      diag.error(s, "link endpoint '" + text + "': interface name '" + iface + "' is invalid: " + Values.IFNAME_RULE);
      return null;
    }
    return new LinkSpec.Endpoint(node, iface);
  }

  private void step(Draft.Lab lab, YamlNode item) {
    String shape = "a scenario step must be a map with exactly one key, the node name, like '- h1: ping -c 1 h2'";
    if (!(item instanceof Mapping m)) {
      diag.error(item, shape + "; got " + item.describe());
      return;
    }
    if (m.entries().size() != 1) {
      diag.error(item, shape + "; got " + m.entries().size() + " keys");
      return;
    }
    Entry e = m.entries().get(0);
    boolean ok = true;
    if (!lab.nodes.containsKey(e.name())) {
      diag.error(e.key(), "scenario step: no node named " + e.name() + MapFields.didYouMean(e.name(), lab.nodes.keySet()));
      ok = false;
    }
    if (!(e.value() instanceof Scalar c) || c.type() != ScalarType.STRING || c.text().isBlank()) {
      YamlNode at = e.value() instanceof Scalar v && v.isNull() ? e.key() : e.value();
      diag.error(at, "scenario step for " + e.name() + ": the command must be a non-empty string, not "
          + e.value().describe());
      return;
    }
    if (ok) {
      lab.scenario.add(new ScenarioStep(e.name(), c.text(), e.key().line()));
    }
  }
}
