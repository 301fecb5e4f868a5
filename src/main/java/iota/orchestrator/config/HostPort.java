package iota.orchestrator.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A strict {@code host:port} address of an app instance, as advertised in {@code
 * iota.application.server} and learnt from Kafka Streams metadata. It becomes the authority of
 * the URL a read is forwarded to, so nothing but a host name (RFC 1123 labels), an IPv4 address or
 * a bracketed IPv6 literal and a port in [1, 65535] is accepted: no user info, path, query,
 * fragment, percent escape or whitespace that could point the request elsewhere.
 *
 * @param host the host name or address (an IPv6 literal without its brackets)
 * @param port the port
 */
public record HostPort(String host, int port) {
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  public HostPort {
    String problem = problem(host, port);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Parses {@code host:port} or {@code [ipv6]:port}; the message of the exception says what is wrong. */
  public static HostPort parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("expected host:port, got nothing");
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + text + "'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (!host.contains(":")) {
        throw new IllegalArgumentException("brackets are only for IPv6 addresses, got '" + text + "'");
      }
    } else if (host.contains(":")) {
      throw new IllegalArgumentException(IPV6.matcher(host).matches()
          ? "an IPv6 address needs brackets, [addr]:port, got '" + text + "'"
          : "expected host:port, got '" + text + "'");
    }
    String port = text.substring(colon + 1);
    if (!port.matches("\\d{1,5}")) {
      throw new IllegalArgumentException("port must be a number in [1, 65535], got '" + port + "'");
    }
    return new HostPort(host, Integer.parseInt(port));
  }

  /** Why {@code host} and {@code port} are not a valid address, or null when they are. */
  public static String problem(String host, int port) {
    if (port < 1 || port > 65535) {
      return "port must be in [1, 65535], got " + port;
    }
    if (host == null || host.isEmpty()) {
      return "host is empty";
    }
    if (host.contains(":")) {
      return IPV6.matcher(host).matches() && host.indexOf(':') != host.lastIndexOf(':') ? null : "'" + host + "' is not an IPv6 address";
    }
    if (host.length() > 253) {
      return "host name is longer than 253 characters";
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return "'" + host + "' is not a host name or IPv4 address (letters, digits, '-' and '.' only)";
      }
    }
    return null;
  }

  /** The URL authority: {@code host:port}, an IPv6 host in brackets. */
  public String authority() {
    return (host.contains(":") ? "[" + host + "]" : host.toLowerCase(Locale.ROOT)) + ":" + port;
  }

  @Override
  public String toString() {
    return authority();
  }
}
