/**
 * The control plane of a running lab: {@link emu.control.controller.LabController} (impairments,
 * link state, node faults, partitions, the timed fault plan), its HTTP API and metrics, and the
 * client that other processes talk to it with. May depend on lab, k8s and everything below them
 * (it uses lab, process, state, linux and topology); not on report, its peer.
 */
package emu.control.controller;
