/**
 * The narrative of a run: the nodes' event files merged into one time-ordered story (hosts'
 * clock offsets corrected) and printed for a person. At the bottom of the control plane: it
 * depends on no other package of it.
 */
package emu.control.narrative;
