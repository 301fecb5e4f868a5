package iota.orchestrator.cli;

import iota.orchestrator.config.ConfigKey;
import java.util.HashMap;
import java.util.Map;

/** Collects the command-line flags a user gave into configuration keys; unset flags are left out. */
final class Flags {
  private final Map<String, String> values = new HashMap<>();

  Flags put(ConfigKey<?> key, Object value) {
    return put(key.name(), value);
  }

  Flags put(String key, Object value) {
    if (value != null) {
      values.put(key, String.valueOf(value));
    }
    return this;
  }

  Map<String, String> map() {
    return values;
  }
}
