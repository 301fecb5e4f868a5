package iota.orchestrator.cli;

import iota.orchestrator.config.ConfigKeys;
import java.util.ListResourceBundle;

/**
 * The defaults of the configuration keys as a resource bundle, so that an option's description or
 * default reads {@code ${bundle:iota.heartbeat.timeout}} instead of writing the value a second time.
 */
public final class ConfigDefaults extends ListResourceBundle {
  /** The name commands give as their {@code resourceBundle}. */
  public static final String BUNDLE = "iota.orchestrator.cli.ConfigDefaults";

  @Override
  protected Object[][] getContents() {
    return ConfigKeys.scalar().stream()
        .filter(k -> k.defaultText() != null)
        .map(k -> new Object[] {k.name(), k.defaultText()})
        .toArray(Object[][]::new);
  }
}
