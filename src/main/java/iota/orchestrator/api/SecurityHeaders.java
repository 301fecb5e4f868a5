package iota.orchestrator.api;

import java.util.Map;

/**
 * Headers every answer carries, API and dashboard alike. The dashboard must not be framed by another
 * site (clickjacking its re-orchestrate form): {@code X-Frame-Options} for old browsers, CSP {@code
 * frame-ancestors} for current ones. Its only script is the served {@code app.js}: the policy allows
 * scripts, styles and fetches from this origin only, with no inline script or {@code eval}, so
 * injected markup could not run code even if it got onto the page.
 */
final class SecurityHeaders {
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
          + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  static final Map<String, String> ALL =
      Map.of(
          "X-Content-Type-Options", "nosniff",
          "X-Frame-Options", "DENY",
          "Content-Security-Policy", CONTENT_SECURITY_POLICY,
          "Referrer-Policy", "no-referrer");

  private SecurityHeaders() {}
}
