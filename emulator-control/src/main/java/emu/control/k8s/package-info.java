/**
 * A lab on Kubernetes: the topology rendered as manifests, planned as a local lab is, and the
 * control process that drives its nodes in the cluster. May depend on process, state, plan,
 * topology, linux and narrative (it uses plan, process and topology); not on lab, its peer.
 */
package emu.control.k8s;
