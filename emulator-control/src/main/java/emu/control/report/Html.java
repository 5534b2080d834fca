package emu.control.report;

/**
 * Escaping for text that goes into the report. Everything shown there may come from packets
 * (DNS names, HTTP paths, certificate subjects) or from a topology file, so every string is
 * escaped on its way in; nothing is ever inserted raw.
 */
final class Html {
  private Html() {}

  /** Text safe in HTML and SVG (XML) element content and in double- or single-quoted attributes. */
  static String esc(Object value) {
    String s = value == null ? "" : value.toString();
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> {
          // Control characters other than tab and newline are invalid in XML: show them as U+FFFD.
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
            sb.append('\uFFFD');
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  /** A relative link to a file of the run folder: the name percent-encoded, then escaped. */
  static String href(String fileName) {
    StringBuilder sb = new StringBuilder();
    for (byte b : fileName.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    // A leading "./" keeps a name such as "javascript:x" (impossible after encoding ':') a path.
    return "./" + sb;
  }

  /** At most {@code max} characters, with an ellipsis when cut. */
  static String cut(String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
  }
}
