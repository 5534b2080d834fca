package emu.control.run;

import emu.node.event.Stamped;
import java.util.List;

/** Something a run waits for before the scenario's first step, told by the nodes' events. */
interface StartWait {
  /** Takes in what the nodes reported. */
  void seen(List<Stamped> events);

  /** True once it is there. */
  boolean up();
}
