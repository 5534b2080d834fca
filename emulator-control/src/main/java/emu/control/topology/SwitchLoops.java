package emu.control.topology;

import emu.node.config.StormSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loops that links between switches form, found before anything starts so that {@code emu
 * validate} and {@code emu graph} can name them: with spanning tree a loop is redundancy (RSTP
 * blocks one port), without it every broadcast circulates forever.
 *
 * <p>Each independent loop is named once: the loops are a cycle basis of the switches' graph
 * (parallel links between two switches included): reading the links in file order, a link whose
 * two switches are joined already by the links before it closes a loop, the one through those.
 * So a triangle is one loop, two triangles sharing a side are two (not three), and the same file
 * always gives the same loops in the same order (the order of the links that close them). Links
 * to hosts and routers cannot close a loop of switches: a host or router does not bridge. A linux
 * or external node may (a Linux bridge, or whatever is outside), but what it does is not in the
 * file, so a loop through one is not named.
 *
 * <p>A switch with {@code stp: false} floods BPDUs like any multicast (as a Linux bridge with
 * {@code stp_state 0}), so the switches on the loop that do run spanning tree see each other
 * through it (or their own BPDUs coming back) and still block a port. Only a loop of switches
 * that all run none circulates broadcasts forever.
 */
public final class SwitchLoops {
  /** How many loops {@code validate} and {@code graph} name before saying "and N more". */
  public static final int SHOWN = 10;

  private SwitchLoops() {}

  /**
   * One loop.
   *
   * @param switches the switches around it, the first repeated at the end ("s1, s2, s3, s1"),
   *     starting at the one declared first and going on to its neighbour declared first
   * @param withoutStp the switches on it with {@code stp: false}, in the loop's order; may be empty
   * @param legacy true if a switch on it speaks only 802.1D-1998 STP ({@code force-version: 0})
   * @param closing the index (file order) of the link that closes it
   * @param policed the classes of frames ("broadcast", "multicast", "unknown-unicast") that every
   *     switch on it polices on every port to another switch ({@code storm:}); may be empty
   */
  public record Loop(List<String> switches, List<String> withoutStp, boolean legacy, int closing,
                     List<String> policed) {
    public Loop {
      switches = List.copyOf(switches);
      withoutStp = List.copyOf(withoutStp);
      policed = List.copyOf(policed);
    }

    /** True if no switch on the loop runs spanning tree: broadcasts circulate forever. */
    public boolean storms() {
      return withoutStp.size() == switches.size() - 1;
    }

    /** What circulates on the loop if no spanning tree cuts it ({@link #storms()}). */
    public String consequence() {
      return SwitchLoops.consequence(policed);
    }

    /** "s1 - s2 - s3 - s1". */
    public String path() {
      return String.join(" - ", switches);
    }

    /** What the loop means, as a sentence without a full stop. */
    public String text() {
      String tree = legacy ? "spanning tree" : "RSTP";
      if (withoutStp.isEmpty()) {
        return path() + " form a loop; " + tree + " will block one port";
      }
      String off = words(withoutStp) + (withoutStp.size() == 1 ? " runs" : " run") + " no spanning tree (stp: false)";
      if (storms()) {
        return path() + " form a loop and " + off + ": " + consequence();
      }
      List<String> on = new ArrayList<>(switches.subList(0, switches.size() - 1));
      on.removeAll(withoutStp);
      return path() + " form a loop; " + off + " but " + (withoutStp.size() == 1 ? "floods" : "flood")
          + " BPDUs, so " + tree + " on " + words(on) + " will block one port";
    }
  }

  /**
   * What circulates on a loop that no spanning tree cuts: "broadcasts will circulate forever", or
   * with storm control on every port between its switches, the classes it holds to their levels
   * (which may end the storm: a frame that laps the loop faster than the level is dropped) and the
   * classes it does not police, which circulate forever.
   */
  private static String consequence(List<String> policed) {
    if (policed.isEmpty()) {
      return "broadcasts will circulate forever";
    }
    List<String> not = new ArrayList<>(StormBinder.CLASSES);
    not.removeAll(policed);
    String held = words(policed) + " frames will circulate at most at their storm control's level (which may end"
        + " the storm)";
    return not.isEmpty() ? held : held + "; " + words(not) + " frames are not policed on every port between them"
        + " and will circulate forever";
  }

  /** The loops of a loaded topology, in the order of the links that close them. */
  public static List<Loop> of(Topology topo) {
    Map<String, List<String>> inter = new HashMap<>();
    for (LinkSpec l : topo.links()) {
      NodeSpec a = topo.node(l.a().node());
      NodeSpec b = topo.node(l.b().node());
      if (a != null && b != null && a.isSwitch() && b.isSwitch()) {
        inter.computeIfAbsent(a.name(), k -> new ArrayList<>()).add(l.a().iface());
        inter.computeIfAbsent(b.name(), k -> new ArrayList<>()).add(l.b().iface());
      }
    }
    Graph g = new Graph();
    for (NodeSpec n : topo.nodes()) {
      if (n.isSwitch()) {
        g.node(n.name(), n.stp() != null && !n.stp().isEnabled(),
            n.stp() != null && n.stp().forceVersion() != null && n.stp().forceVersion() == 0,
            policedOnAll(inter.getOrDefault(n.name(), List.of()), n.storm()));
      }
    }
    for (LinkSpec l : topo.links()) {
      g.edge(l.a().node(), l.b().node());
    }
    return g.loops();
  }

  /** The loops of a lab being checked (links whose ends are not both resolved switches are left out). */
  static List<Loop> of(Draft.Lab lab) {
    Map<String, List<String>> inter = new HashMap<>();
    for (Draft.Link l : lab.links) {
      if (l.aIface != null && l.bIface != null && l.aIface.node.isSwitch() && l.bIface.node.isSwitch()) {
        inter.computeIfAbsent(l.aIface.node.name, k -> new ArrayList<>()).add(l.aIface.name);
        inter.computeIfAbsent(l.bIface.node.name, k -> new ArrayList<>()).add(l.bIface.name);
      }
    }
    Graph g = new Graph();
    for (Draft.Node n : lab.nodes.values()) {
      if (n.isSwitch()) {
        g.node(n.name, n.stp != null && !n.stp.isEnabled(),
            n.stp != null && n.stp.forceVersion() != null && n.stp.forceVersion() == 0,
            policedOnAll(inter.getOrDefault(n.name, List.of()), StormBinder.perPort(n)));
      }
    }
    for (Draft.Link l : lab.links) {
      g.edge(l.a == null ? null : l.a.node(), l.b == null ? null : l.b.node());
    }
    return g.loops();
  }

  /**
   * Warns, at the link that closes it, about every loop that no switch on it cuts (all {@code
   * stp: false}): at most {@link #SHOWN}, then one warning for the rest.
   */
  static void warn(Draft.Lab lab, Diagnostics diag) {
    List<Loop> storms = of(lab).stream().filter(Loop::storms).toList();
    for (int i = 0; i < Math.min(SHOWN, storms.size()); i++) {
      diag.warn(lab.links.get(storms.get(i).closing()).at, storms.get(i).text());
    }
    if (storms.size() > SHOWN) {
      List<Loop> rest = storms.subList(SHOWN, storms.size());
      String same = rest.get(0).consequence();
      boolean alike = rest.stream().allMatch(l -> l.consequence().equals(same));
      diag.warn(lab.links.get(rest.get(0).closing()).at, "and " + rest.size() + " more loop"
          + (rest.size() == 1 ? "" : "s") + " of switches that run no spanning tree (stp: false): " + (alike ? same
          : "broadcasts will circulate, forever where storm control does not police them on every port"));
    }
  }

  /** The loops as lines to print, at most {@link #SHOWN} then "and N more loops". */
  public static List<String> lines(List<Loop> loops) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Math.min(SHOWN, loops.size()); i++) {
      out.add(loops.get(i).text());
    }
    if (loops.size() > SHOWN) {
      int more = loops.size() - SHOWN;
      out.add("and " + more + " more loop" + (more == 1 ? "" : "s"));
    }
    return out;
  }

  /** The classes that every one of {@code ports} (a switch's ports to other switches) polices. */
  private static List<String> policedOnAll(List<String> ports, Map<String, StormSettings> storm) {
    List<String> out = new ArrayList<>();
    if (storm == null) {
      return out;
    }
    for (int i = 0; i < StormBinder.CLASSES.size(); i++) {
      int c = i;
      if (ports.stream().allMatch(p -> storm.get(p) != null && rate(storm.get(p), c) != null)) {
        out.add(StormBinder.CLASSES.get(c));
      }
    }
    return out;
  }

  private static Long rate(StormSettings s, int c) {
    return c == 0 ? s.broadcast() : c == 1 ? s.multicast() : s.unknownUnicast();
  }

  /** "a", "a and b", "a, b and c". */
  static String words(List<String> names) {
    if (names.size() == 1) {
      return names.get(0);
    }
    return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
  }

  /** The switches (in file order) and the links between them (in file order), as a multigraph. */
  private static final class Graph {
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final List<Boolean> off = new ArrayList<>();
    private final List<Boolean> legacy = new ArrayList<>();
    private final List<List<String>> policed = new ArrayList<>();
    private final List<int[]> edges = new ArrayList<>();
    private int links;

    void node(String name, boolean stpOff, boolean legacyStp, List<String> policedOnAll) {
      index.put(name, names.size());
      names.add(name);
      off.add(stpOff);
      legacy.add(legacyStp);
      policed.add(policedOnAll);
    }

    void edge(String a, String b) {
      int link = links++;
      Integer u = a == null ? null : index.get(a);
      Integer v = b == null ? null : index.get(b);
      if (u == null || v == null || u.equals(v)) {
        return; // not between two switches (a self-link is an error reported elsewhere)
      }
      edges.add(new int[] {u, v, link});
    }

    List<Loop> loops() {
      int n = names.size();
      // the spanning forest of the links in file order (Kruskal's, all weights equal): a link whose ends
      // are joined already closes a loop, the one of the tree path between them, which comes from earlier links
      int[] component = new int[n];
      for (int i = 0; i < n; i++) {
        component[i] = i;
      }
      List<List<Integer>> tree = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        tree.add(new ArrayList<>());
      }
      List<int[]> closing = new ArrayList<>();
      for (int[] e : edges) {
        int a = find(component, e[0]);
        int b = find(component, e[1]);
        if (a == b) {
          closing.add(e);
        } else {
          component[a] = b;
          tree.get(e[0]).add(e[1]);
          tree.get(e[1]).add(e[0]);
        }
      }
      int[] parent = new int[n];
      int[] depth = new int[n];
      boolean[] seen = new boolean[n];
      for (int root = 0; root < n; root++) {
        if (seen[root]) {
          continue;
        }
        seen[root] = true;
        parent[root] = -1;
        ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
          int u = queue.poll();
          for (int v : tree.get(u)) {
            if (!seen[v]) {
              seen[v] = true;
              parent[v] = u;
              depth[v] = depth[u] + 1;
              queue.add(v);
            }
          }
        }
      }
      List<Loop> out = new ArrayList<>();
      for (int[] e : closing) {
        out.add(loop(cycle(e[0], e[1], parent, depth), e[2]));
      }
      return out;
    }

    private static int find(int[] component, int i) {
      int r = i;
      while (component[r] != r) {
        r = component[r];
      }
      component[i] = r;
      return r;
    }

    /** The tree path from u to v (through their lowest common ancestor), which the link u-v closes. */
    private static List<Integer> cycle(int u, int v, int[] parent, int[] depth) {
      List<Integer> up = new ArrayList<>();
      List<Integer> down = new ArrayList<>();
      int a = u;
      int b = v;
      while (depth[a] > depth[b]) {
        up.add(a);
        a = parent[a];
      }
      while (depth[b] > depth[a]) {
        down.add(b);
        b = parent[b];
      }
      while (a != b) {
        up.add(a);
        down.add(b);
        a = parent[a];
        b = parent[b];
      }
      up.add(a);
      Collections.reverse(down);
      up.addAll(down);
      return up;
    }

    /**
     * The cycle (open: no repeat) turned to start at the switch declared first,
     * towards its neighbour declared first.
     */
    private Loop loop(List<Integer> cycle, int closing) {
      int start = cycle.indexOf(Collections.min(cycle));
      List<Integer> turned = new ArrayList<>(cycle.subList(start, cycle.size()));
      turned.addAll(cycle.subList(0, start));
      if (turned.size() > 2 && turned.get(turned.size() - 1) < turned.get(1)) {
        Collections.reverse(turned.subList(1, turned.size()));
      }
      List<String> path = new ArrayList<>();
      List<String> without = new ArrayList<>();
      boolean old = false;
      List<String> all = new ArrayList<>(StormBinder.CLASSES);
      for (int i : turned) {
        path.add(names.get(i));
        if (off.get(i)) {
          without.add(names.get(i));
        } else {
          old |= legacy.get(i);
        }
        all.retainAll(policed.get(i));
      }
      path.add(path.get(0));
      return new Loop(path, without, old, closing, all);
    }
  }
}
