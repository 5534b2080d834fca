package emu.link.archfixture.a;

import emu.link.archfixture.b.B;

/** Half of a deliberate package cycle (a -> b -> a), for ArchitectureTest to find. */
public class A {
  B partner;
}
