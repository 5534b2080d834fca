package emu.node.stack;

import emu.link.wire.MacAddress;
import emu.node.wire.Ipv4Address;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the stack around a {@link NeighborCache}: records what the cache asks for, with
 * the virtual time of each request, and releases the packets it is handed (as the real link
 * output would, after sending or dropping them).
 */
final class RecordingNeighborEvents implements NeighborEvents {
  record Solicit(long at, int ip, long unicastMac) {
    boolean broadcast() {
      return unicastMac < 0;
    }

    @Override
    public String toString() {
      return String.format("%.3fs who-has %s %s", at / 1e9, Ipv4Address.format(ip),
          unicastMac < 0 ? "broadcast" : "unicast " + MacAddress.format(unicastMac));
    }
  }

  record Released(long at, long mac, int tag) {}

  record Unresolved(long at, int ip, int tag) {}

  record Transition(int ip, NeighborState from, NeighborState to) {}

  private final emu.link.time.TimeSource time;
  final List<Solicit> solicits = new ArrayList<>();
  final List<Released> released = new ArrayList<>();
  final List<Unresolved> unresolved = new ArrayList<>();
  final List<Transition> transitions = new ArrayList<>();

  RecordingNeighborEvents(emu.link.time.TimeSource time) {
    this.time = time;
  }

  @Override
  public void solicit(Nic nic, NeighborCache.Entry entry, long unicastMac) {
    solicits.add(new Solicit(time.nanos(), entry.ip(), unicastMac));
  }

  /** Packets in these tests carry a 4-byte tag at their reader index. */
  @Override
  public void release(Nic nic, long mac, ByteBuf packet) {
    released.add(new Released(time.nanos(), mac, packet.getInt(packet.readerIndex())));
    packet.release();
  }

  @Override
  public void unresolved(Nic nic, NeighborCache.Entry entry, ByteBuf packet) {
    unresolved.add(new Unresolved(time.nanos(), entry.ip(), packet.getInt(packet.readerIndex())));
    packet.release();
  }

  @Override
  public void transition(Nic nic, NeighborCache.Entry entry, NeighborState from, NeighborState to) {
    transitions.add(new Transition(entry.ip(), from, to));
  }

  List<Integer> releasedTags() {
    return released.stream().map(Released::tag).toList();
  }

  List<Integer> unresolvedTags() {
    return unresolved.stream().map(Unresolved::tag).toList();
  }

  void clear() {
    solicits.clear();
    released.clear();
    unresolved.clear();
    transitions.clear();
  }
}
