package emu.node.stack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Listeners kept in an array copied on change, so one may remove itself (or another) while being
 * called, and the receive path walks a plain array without allocating.
 */
public final class Listeners<L> {
  private final IntFunction<L[]> newArray;
  private L[] all;

  public Listeners(IntFunction<L[]> newArray) {
    this.newArray = newArray;
    this.all = newArray.apply(0);
  }

  public void add(L l) {
    List<L> list = new ArrayList<>(Arrays.asList(all));
    list.add(l);
    all = list.toArray(newArray.apply(0));
  }

  public void remove(L l) {
    List<L> list = new ArrayList<>(Arrays.asList(all));
    list.remove(l);
    all = list.toArray(newArray.apply(0));
  }

  /** The listeners now (do not change the array). */
  public L[] array() {
    return all;
  }
}
