package iota.orchestrator.api;

import iota.orchestrator.config.OrchestratorConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link ApiServer} on a free loopback port over fake plan queries and a fake gateway, for the
 * HTTP tests of the API. A test class registers it per test
 * ({@code @RegisterExtension final ApiTestServer api = new ApiTestServer(...)}), each test starts it
 * with the flags it needs, and it is closed with its metrics after the test, started or not.
 */
final class ApiTestServer implements AfterEachCallback {
  final FakePlanQueries queries = new FakePlanQueries();
  final FakeGateway gateway = new FakeGateway();
  final OrchestratorMetrics metrics = new OrchestratorMetrics();
  private final Map<String, String> flags;
  private Supplier<KafkaStreams.State> state = () -> KafkaStreams.State.RUNNING;
  private ApiServer server;

  /** @param flags the class's own flags (token, CORS origins); host and port are always loopback and free */
  ApiTestServer(Map<String, String> flags) {
    this.flags = Map.copyOf(flags);
  }

  /** The Streams state the health routes report; RUNNING unless a test sets another source. */
  ApiTestServer state(Supplier<KafkaStreams.State> state) {
    this.state = state;
    return this;
  }

  Http start() {
    return start(Map.of());
  }

  /** Starts the server with the class's flags and these on top of them. */
  Http start(Map<String, String> overrides) {
    return start(overrides, UnaryOperator.identity());
  }

  /**
   * Starts the server with the class's flags and {@code overrides} on top of them, after {@code wiring}
   * has given it what only some tests need (a simulation).
   */
  Http start(Map<String, String> overrides, UnaryOperator<ApiServer> wiring) {
    Map<String, String> all = new HashMap<>(flags);
    all.put("iota.http.host", "127.0.0.1");
    all.put("iota.http.port", "0");
    all.putAll(overrides);
    server = wiring.apply(new ApiServer(OrchestratorConfig.of(all), queries, gateway, state, metrics)).start();
    return new Http(server.port());
  }

  /** The started server. */
  ApiServer server() {
    if (server == null) {
      throw new IllegalStateException("the test has not started the server");
    }
    return server;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      metrics.close();
    }
  }
}
