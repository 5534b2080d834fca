package emu.node.event;

/**
 * A routing-table entry as facts: {@code prefix} (CIDR; {@code 0.0.0.0/0} for the default),
 * {@code gateway} (null for a connected route), {@code dev}, where it came from ({@code kernel}
 * for a connected route, {@code static}), {@code src} (the preferred source of a connected
 * route, else null) and {@code metric}.
 */
public record RouteInfo(String prefix, String gateway, String dev, String proto, String src, int metric) {
  public boolean isDefault() {
    return prefix.endsWith("/0");
  }
}
