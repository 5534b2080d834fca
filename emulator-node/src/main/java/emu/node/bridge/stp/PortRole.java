package emu.node.bridge.stp;

/** A port's role in the spanning tree (IEEE 802.1D-2004 17.7). */
public enum PortRole {
  DISABLED, ROOT, DESIGNATED, ALTERNATE, BACKUP;

  /** The role as {@code mstpctl} prints it. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
