package emu.node.archfixture.ospf;

import emu.node.host.EmulatedNode;

/** A routing protocol class that reaches up into the host: what the rules forbid. */
public class HostBoundRouting {
  EmulatedNode node;
}
