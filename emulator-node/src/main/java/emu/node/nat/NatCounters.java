package emu.node.nat;

/** What a node's address translator did, for {@code conntrack -S}, status and metrics. */
public final class NatCounters {
  /** Packets whose source was rewritten on the way out. */
  public long translatedOut;
  /** Packets whose destination was rewritten back to an inside host. */
  public long translatedIn;
  /** Packets between two inside hosts through the outside address (RFC 4787 REQ-9). */
  public long hairpinned;
  /** ICMP errors rewritten with the packet they quote (RFC 5508). */
  public long icmpErrors;
  /** Mappings made. */
  public long created;
  /** Mappings removed after their idle timeout. */
  public long expired;
  /** Mappings dropped because the outside address changed (as masquerade flushes them). */
  public long flushed;
  /** New flows refused: the table was full. */
  public long tableFull;
  /** New flows refused: no external port left. */
  public long portsExhausted;
  /** Fragments without ports for the outside address that no first fragment introduced. */
  public long noMapping;
  /** ICMP errors quoting something no mapping covers. */
  public long icmpUnknown;
  /** Packets too short to carry the ports the translation needs. */
  public long malformed;
}
