/**
 * Node processes: starting a node's JVM on this machine (with the shared class archive) or on
 * another over ssh, finding it again by pid, signalling it, and talking to its management API
 * ({@link emu.control.process.NodeClient}). May depend on state, plan, topology, linux and
 * narrative (it uses state and topology).
 */
package emu.control.process;
