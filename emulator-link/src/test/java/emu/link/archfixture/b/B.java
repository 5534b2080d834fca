package emu.link.archfixture.b;

import emu.link.archfixture.a.A;

/** The other half of the deliberate cycle. */
public class B {
  A partner;
}
