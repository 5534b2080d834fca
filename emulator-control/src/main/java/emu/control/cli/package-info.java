/**
 * The {@code emu} command line (picocli): one command per verb, and the tables they print. At
 * the top of the control plane, whose packages depend on each other in one direction. From the
 * bottom up: topology, linux, narrative; state, plan; process; lab, k8s; controller, report;
 * console; run; cli. A package may depend only on packages of the tiers below its own, never on a peer of
 * its tier nor on one above; {@code emu.control.ArchitectureTest} (test code) holds the code to
 * this order.
 */
package emu.control.cli;
