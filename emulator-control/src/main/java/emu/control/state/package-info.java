/**
 * What emu keeps on this machine: where it is installed and where its state folder is ({@link
 * emu.control.state.EmuHome}), and the record a running lab leaves there ({@link
 * emu.control.state.LabState}), by which other commands find, inspect and stop it. May depend
 * only on topology.
 */
package emu.control.state;
