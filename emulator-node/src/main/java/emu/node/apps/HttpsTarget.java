package emu.node.apps;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * What a URL given to a node's HTTPS clients ({@code https-get}, {@code httpsperf}) names: the
 * host (a name to resolve or an address), the port (443 unless the URL gives one) and the path
 * with its query. The scheme may be left out; any other than {@code https://} is refused.
 */
public record HttpsTarget(String host, int port, String path) {
  public static final int DEFAULT_PORT = 443;
  /** The largest response body the HTTPS clients take in. */
  public static final int MAX_BODY = 4 << 20;

  /** The target of {@code url}; {@link IllegalArgumentException} says what is wrong with it. */
  public static HttpsTarget parse(String url) {
    String u = url.contains("://") ? url : "https://" + url;
    URI uri;
    try {
      uri = new URI(u);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad URL " + url + ": " + e.getMessage());
    }
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("only https:// URLs are supported, not " + uri.getScheme() + "://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in URL " + url);
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // an IPv6 literal (RFC 3986 3.2.2)
    }
    return new HttpsTarget(host, uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT, path);
  }

  /** The Host header (RFC 9110 7.2): an IPv6 literal in brackets, the port unless 443. */
  public String hostHeader() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == DEFAULT_PORT ? h : h + ":" + port;
  }
}
