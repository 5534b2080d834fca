/**
 * A running lab: its nodes started from a plan and watched ({@link emu.control.lab.LabLauncher},
 * {@link emu.control.lab.Lab}), killed, restarted, paused and stopped, and their counters
 * collected ({@link emu.control.lab.LabStats}); its failures are {@link
 * emu.control.lab.LabException}s. May depend on process, state, plan, topology, linux and
 * narrative; not on k8s, its peer.
 */
package emu.control.lab;
