package emu.node.archfixture.stack;

/** An observer that takes a sentence instead of values: what the rules forbid in the data path. */
public interface ChattyObserver {
  void said(String sentence);
}
