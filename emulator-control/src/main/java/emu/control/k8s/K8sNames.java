package emu.control.k8s;

import emu.control.topology.NodeSpec;
import emu.control.topology.Topology;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes names for a lab's nodes. A node's Service (and Pod) is named after the node, so
 * that its peers find it by that name in the cluster's DNS. Service names must be RFC 1035
 * labels (lowercase letters, digits and '-', starting with a letter, at most 63 characters);
 * emu's node names are {@code [a-z0-9][a-z0-9_-]*}, so '_' becomes '-'. A name that still does
 * not fit (it starts with a digit or ends with '-' or '_') or that two nodes would share is
 * refused with the node's name, rather than silently renamed to something the user did not
 * write.
 */
public final class K8sNames {
  /** RFC 1035 label: what a Service name must be. */
  public static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  /** RFC 1123 label: namespaces, and label values made from names. */
  public static final Pattern DNS_1123 = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private K8sNames() {}

  /** The name with '_' mapped to '-'. */
  public static String map(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * Node name to Kubernetes name, for every node that runs in a pod.
   *
   * @throws K8sException naming the node(s) if a name cannot be used or two collide
   */
  public static Map<String, String> nodes(Topology topo) throws K8sException {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> owner = new LinkedHashMap<>();
    for (NodeSpec n : topo.nodes()) {
      String k = map(n.name());
      if (!DNS_1035.matcher(k).matches()) {
        throw new K8sException("node " + n.name() + ": its Kubernetes Service name would be '" + k + "', which is not"
            + " a valid DNS-1035 label (a letter first, then lowercase letters, digits or '-', not ending with '-');"
            + " rename the node");
      }
      String other = owner.putIfAbsent(k, n.name());
      if (other != null) {
        throw new K8sException("nodes " + other + " and " + n.name() + " would both be named '" + k + "' on Kubernetes"
            + " ('_' becomes '-' there); rename one of them");
      }
      out.put(n.name(), k);
    }
    return out;
  }
}
