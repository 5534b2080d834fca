/**
 * The report of a run: {@code report.html} with the topology drawing, the ladder diagram of what
 * crossed the wires, and the nodes' counters taken before they stopped. May depend on lab, k8s
 * and everything below them (it uses narrative, state and topology); not on controller, its peer.
 */
package emu.control.report;
