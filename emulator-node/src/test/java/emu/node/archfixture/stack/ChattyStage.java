package emu.node.archfixture.stack;

import emu.node.event.ArpEvent;
import emu.node.trace.Tracer;

/** A data-path stage that builds events itself: what the rules forbid. */
public class ChattyStage {
  void announce(Tracer tracer) {
    tracer.emit(new ArpEvent.Announced("eth0", "10.0.0.1", "02:00:00:00:00:01"));
  }
}
