/**
 * Planning a lab: a topology turned into one node configuration per node (ports, MACs, routes,
 * names, the lab token, the lab's certificates) and the namespaces of its linux nodes, before
 * anything runs. May depend only on topology and linux (not on state, its peer).
 */
package emu.control.plan;
