package iota.orchestrator.config;

/** A configuration problem found at start; the message names the key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
