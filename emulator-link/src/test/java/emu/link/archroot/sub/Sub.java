package emu.link.archroot.sub;

import emu.link.archroot.Root;

/** Imports its parent package, which imports it. */
public class Sub {
  Root root;
}
