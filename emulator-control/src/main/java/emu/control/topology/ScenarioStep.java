package emu.control.topology;

/** One step of the file's scenario: a command run on a node, in order; the line lets reports point back at it. */
public record ScenarioStep(String node, String command, int line) {}
