package emu.node.event;

import java.util.List;

/**
 * An RRset as a DNS event carries it: the records of one owner {@code name} (as people write it,
 * without the final dot) and {@code type} (a mnemonic, {@code A}, {@code CNAME}), their
 * {@code ttl} in seconds, how many records there are ({@code count}) and the first few of their
 * data in presentation format ({@code data}: at most {@link #MAX_DATA}, each cut at
 * {@link #MAX_DATA_CHARS} characters and then ending in {@code ...}).
 */
public record DnsRrset(String name, String type, long ttl, int count, List<String> data) {
  /** Most records whose data an event carries. */
  public static final int MAX_DATA = 4;
  /** Longest data of one record an event carries, before the {@code ...} that marks the cut. */
  public static final int MAX_DATA_CHARS = 60;
}
