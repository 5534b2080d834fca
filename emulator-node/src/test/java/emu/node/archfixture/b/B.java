package emu.node.archfixture.b;

import emu.node.archfixture.a.A;

/** The other half of the deliberate cycle. */
public class B {
  A partner;
}
