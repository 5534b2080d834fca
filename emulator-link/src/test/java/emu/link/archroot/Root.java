package emu.link.archroot;

import emu.link.archroot.sub.Sub;

/** A root package class that a subpackage imports back: a cycle only a rule counting the root sees. */
public class Root {
  Sub sub;
}
