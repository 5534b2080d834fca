package emu.node.mgmt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 read byte by byte off a socket, for tests of streamed answers (live captures): the
 * head, each chunk as it comes, and the trailers, which a client library would buffer or hide.
 */
public final class RawHttp {
  private RawHttp() {}

  /** One line, without its CR LF; an error if the connection ends first. */
  public static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection closed mid-line");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  /** The status (as ":status") and header fields, names in lower case. */
  public static Map<String, String> head(InputStream in) throws IOException {
    Map<String, String> h = new LinkedHashMap<>();
    h.put(":status", line(in).split(" ")[1]);
    h.putAll(fields(in));
    return h;
  }

  /** One chunk's bytes (empty at the last chunk, whose trailers are left unread). */
  public static InputStream chunk(InputStream in) throws IOException {
    int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
    byte[] data = in.readNBytes(size);
    if (size > 0) {
      line(in);
    }
    return new ByteArrayInputStream(data);
  }

  /** Every chunk into {@code body}, then the trailers, names in lower case. */
  public static Map<String, String> chunks(InputStream in, ByteArrayOutputStream body) throws IOException {
    while (true) {
      int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      body.write(in.readNBytes(size));
      line(in);
    }
    return fields(in);
  }

  private static Map<String, String> fields(InputStream in) throws IOException {
    Map<String, String> t = new LinkedHashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      t.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    return t;
  }
}
