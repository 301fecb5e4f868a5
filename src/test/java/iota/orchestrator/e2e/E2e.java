package iota.orchestrator.e2e;

import iota.orchestrator.config.OrchestratorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** What every end-to-end test class shares: where data lives, the base configuration, how long to wait. */
final class E2e {
  /**
   * Generous on purpose: the whole platform shares two cores with the build, and a wait that ends
   * early costs nothing, while a tight one makes the suite flaky.
   */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  private E2e() {}

  /** A fresh data directory under {@code target/e2e}, so {@code mvn clean} removes it. */
  static Path dataDir(String name) {
    try {
      Path base = Path.of("target", "e2e").toAbsolutePath();
      Files.createDirectories(base);
      return Files.createTempDirectory(base, name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Small pools (three instances per type) keep the number of simulated pods, heartbeats and
   * znodes low; {@code extra} adds or replaces keys.
   */
  static OrchestratorConfig config(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>();
    m.put("iota.resource.thing.init.instances", "3");
    m.put("iota.resource.rule.init.instances", "3");
    m.putAll(extra);
    return OrchestratorConfig.of(m);
  }

  static ConditionFactory await() {
    return Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100));
  }

  /** {@code prefix-0 .. prefix-(n-1)}. */
  static List<String> ids(String prefix, int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(prefix + "-" + i);
    }
    return ids;
  }
}
