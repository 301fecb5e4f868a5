package iota.orchestrator.api;

import iota.orchestrator.config.ConfigException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may call the API with credentials ({@code iota.cors.origins}, a comma
 * list of {@code scheme://host[:port]}). An allowed origin is reflected with {@code
 * Access-Control-Allow-Credentials: true}; any other gets no CORS headers, so the browser blocks
 * it. A wildcard is refused at start: browsers ignore {@code *} on credentialed requests, and
 * reflecting every origin would hand the admin token's power to any page.
 */
public final class Cors {
  static final String ALLOW_METHODS = "GET, POST, PUT, OPTIONS";
  static final String ALLOW_HEADERS = "Authorization, Content-Type, " + ApiServer.REQUEST_ID_HEADER;
  /** Answer headers a cross-origin page may read besides the simple ones: the request id and the retry hint. */
  static final String EXPOSE_HEADERS = ApiServer.REQUEST_ID_HEADER + ", Retry-After";
  static final String MAX_AGE_SECONDS = "600";

  private final Set<String> origins;

  public Cors(String commaList) {
    Set<String> set = new LinkedHashSet<>();
    if (commaList != null) {
      for (String raw : commaList.split(",")) {
        String o = normalize(raw);
        if (o.isEmpty()) {
          continue;
        }
        if (o.contains("*")) {
          throw new ConfigException("iota.cors.origins: wildcards are not allowed with credentials; list each origin (got '" + raw.trim() + "')");
        }
        if (!o.matches("https?://[^/\\s]+")) {
          throw new ConfigException("iota.cors.origins: expected scheme://host[:port], got '" + raw.trim() + "'");
        }
        set.add(o);
      }
    }
    this.origins = Set.copyOf(set);
  }

  /** Whether a request from this {@code Origin} may read the API's answers. */
  public boolean allows(String origin) {
    return origin != null && origins.contains(normalize(origin));
  }

  public boolean enabled() {
    return !origins.isEmpty();
  }

  private static String normalize(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
