package emu.control.archfixture.a;

import emu.control.archfixture.b.B;

/** Half of a deliberate package cycle (a uses b, b uses a): ArchitectureTest's rules must catch it. */
public class A {
  B b;
}
