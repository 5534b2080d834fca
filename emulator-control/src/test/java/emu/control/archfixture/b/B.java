package emu.control.archfixture.b;

import emu.control.archfixture.a.A;

/** The other half of the deliberate package cycle of {@link A}. */
public class B {
  A a;
}
