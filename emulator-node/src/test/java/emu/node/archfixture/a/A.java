package emu.node.archfixture.a;

import emu.node.archfixture.b.B;

/** Half of a deliberate package cycle (a -> b -> a), for ArchitectureTest to find. */
public class A {
  B partner;
}
