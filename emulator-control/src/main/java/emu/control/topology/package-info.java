/**
 * Topology files: a Containerlab-style YAML file read, checked and bound into a {@link
 * emu.control.topology.Topology}, the lab every other package starts from, or a list of every
 * problem found. At the bottom of the control plane: it depends on no other package of it.
 */
package emu.control.topology;
