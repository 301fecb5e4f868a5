package iota.orchestrator.api;

import iota.orchestrator.config.ConfigException;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Bearer-token protection of the REST API. With a token configured ({@code iota.api.token}, or the
 * content of {@code iota.api.token.file}, e.g. a mounted Kubernetes secret), requests that change
 * the plan need {@code Authorization: Bearer <token>}; reads need it too when {@code
 * iota.api.protect.reads=true}. Without a token everything is open, as in the original.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}: constant time, and
 * the digest hides the token's length as well as its content.
 */
public final class Auth {
  private static final String BEARER = "Bearer ";

  private final String token;
  private final byte[] digest;
  private final boolean protectReads;

  /**
   * @param token the expected token, or null for an open API
   * @param protectReads whether reads need the token too
   */
  public Auth(String token, boolean protectReads) {
    this.token = token == null || token.isBlank() ? null : token.trim();
    this.digest = this.token == null ? null : sha256(this.token);
    this.protectReads = protectReads;
  }

  /** An open API: no token, nothing protected. */
  public static Auth none() {
    return new Auth(null, false);
  }

  /** The token from {@code iota.api.token}, else from the file {@code iota.api.token.file}. */
  public static Auth fromConfig(OrchestratorConfig config) {
    String token = config.get(ConfigKeys.API_TOKEN);
    String file = config.get(ConfigKeys.API_TOKEN_FILE);
    if ((token == null || token.isBlank()) && file != null && !file.isBlank()) {
      try {
        token = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new ConfigException(ConfigKeys.API_TOKEN_FILE.name() + ": cannot read " + file + ": " + e.getMessage());
      }
      if (token.isEmpty()) {
        throw new ConfigException(ConfigKeys.API_TOKEN_FILE.name() + ": " + file + " is empty");
      }
    }
    return new Auth(token, config.get(ConfigKeys.API_PROTECT_READS));
  }

  /** Whether a request of this kind must carry the token. */
  public boolean required(boolean mutating) {
    return token != null && (mutating || protectReads);
  }

  /** Whether the {@code Authorization} header carries the configured token. */
  public boolean accepts(String authorization) {
    if (digest == null) {
      return true;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(authorization.substring(BEARER.length()).trim()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
