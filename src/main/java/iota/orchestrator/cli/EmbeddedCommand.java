package iota.orchestrator.cli;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.embedded.EmbeddedPlatform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code embedded}: the whole system in one JVM, for a laptop. */
@Command(
    name = "embedded",
    resourceBundle = ConfigDefaults.BUNDLE,
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole system in one JVM: a real Kafka broker (KRaft), ZooKeeper, an MQTT broker, "
          + "Kafka Connect with the MQTT bridge, the topology, the executor and the REST server, plus a "
          + "SIMULATED Kubernetes API (fabric8's mock server; no real cluster is touched) and a "
          + "SIMULATED worker fleet. All state lives under --data-dir; a restart continues where it stopped.",
      "Prints one line READY {json} with every address once it is up. Every option can also be set "
          + "with the environment variable named in brackets."
    })
public final class EmbeddedCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data-dir", defaultValue = "${env:IOTA_DATA_DIR:-./data}", description = "state directory (IOTA_DATA_DIR, default ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--http-port", defaultValue = "${env:IOTA_HTTP_PORT:-${bundle:iota.http.port}}", description = "REST API and dashboard (IOTA_HTTP_PORT, default ${DEFAULT-VALUE}; 0 = any free port)")
  int httpPort;

  @Option(names = "--mqtt-port", defaultValue = "${env:IOTA_MQTT_PORT:-1883}", description = "MQTT broker (IOTA_MQTT_PORT, default ${DEFAULT-VALUE})")
  int mqttPort;

  @Option(names = "--kafka-port", defaultValue = "${env:IOTA_KAFKA_PORT:-9092}", description = "Kafka broker (IOTA_KAFKA_PORT, default ${DEFAULT-VALUE})")
  int kafkaPort;

  @Option(names = "--zookeeper-port", defaultValue = "${env:IOTA_ZOOKEEPER_PORT:-2181}", description = "ZooKeeper (IOTA_ZOOKEEPER_PORT, default ${DEFAULT-VALUE})")
  int zookeeperPort;

  @Option(names = "--kubernetes-port", defaultValue = "${env:IOTA_KUBERNETES_PORT:-0}", description = "simulated Kubernetes API (IOTA_KUBERNETES_PORT, default any free port)")
  int kubernetesPort;

  @Option(names = "--heartbeat-timeout", defaultValue = "${env:IOTA_HEARTBEAT_TIMEOUT:-${bundle:iota.heartbeat.timeout}}", description = "recreate a worker silent this long, e.g. 90s, 5s (IOTA_HEARTBEAT_TIMEOUT, default ${DEFAULT-VALUE})")
  String heartbeatTimeout;

  @Option(names = "--simulate-workers", defaultValue = "${env:IOTA_SIMULATE_WORKERS:-true}", arity = "1", description = "run the simulated worker fleet (IOTA_SIMULATE_WORKERS, default ${DEFAULT-VALUE})")
  boolean simulateWorkers;

  @Option(names = "--api-token", defaultValue = "${env:IOTA_API_TOKEN}", description = "bearer token for mutating routes (IOTA_API_TOKEN); default: generated on first start and kept in the data dir")
  String apiToken;

  @Option(names = "--ready-file", defaultValue = "${env:IOTA_READY_FILE}", description = "also write the READY json to this file (IOTA_READY_FILE; default <data-dir>/ready.json)")
  Path readyFile;

  @Option(names = "--metrics-interval", defaultValue = "${env:IOTA_METRICS_INTERVAL:-5s}", description = "sample the pods' usage from the SIMULATED metrics.k8s.io this often (iota.metrics.interval; IOTA_METRICS_INTERVAL, default ${DEFAULT-VALUE})")
  String metricsInterval;

  @Option(names = "--scale-down-stabilization", defaultValue = "${env:IOTA_SCALE_DOWN_STABILIZATION:-300s}", description = "shrink a pool no lower than the highest recommendation of this window (iota.resource.<type>.scale.down.stabilization of every type; IOTA_SCALE_DOWN_STABILIZATION, default ${DEFAULT-VALUE})")
  String scaleDownStabilization;

  @Option(names = "--config", description = "a properties file with iota.* keys (resource types, ...)")
  String configFile;

  @Override
  public Integer call() throws Exception {
    OrchestratorConfig base = OrchestratorConfig.load(new Flags().put(ConfigKeys.CONFIG_FILE, configFile)
        .put(ConfigKeys.METRICS_INTERVAL, OrchestratorConfig.parseDuration("--metrics-interval", metricsInterval).toMillis() + "ms").map());
    base = base.with(stabilization(base, OrchestratorConfig.parseDuration("--scale-down-stabilization", scaleDownStabilization)));
    EmbeddedPlatform.Options options = EmbeddedPlatform.Options.defaults(dataDir)
        .withPorts(httpPort, mqttPort, kafkaPort, zookeeperPort, kubernetesPort)
        .withHeartbeatTimeout(OrchestratorConfig.parseDuration("--heartbeat-timeout", heartbeatTimeout))
        .withSimulatedWorkers(simulateWorkers)
        .withApiToken(apiToken);
    Path ready = readyFile != null ? readyFile : dataDir.resolve("ready.json");
    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedPlatform platform = EmbeddedPlatform.start(options, base);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // Nothing is ready any more: a stale file would send a client to closed ports.
        Files.deleteIfExists(ready);
      } catch (IOException ignored) {
        // the next start overwrites it
      }
      try {
        platform.close();
      } finally {
        stopped.countDown();
      }
    }, "shutdown"));
    var out = spec.commandLine().getOut();
    if (platform.tokenGenerated()) {
      out.println("API token (generated, kept in " + dataDir.resolve("api-token") + "): " + platform.apiToken());
    }
    String json = platform.readyJson();
    // Written whole, then moved into place, so a watcher never reads half a file.
    Path tmp = Files.createTempFile(ready.toAbsolutePath().getParent(), ".ready", ".tmp");
    Files.writeString(tmp, json + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, ready, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    out.println("READY " + json);
    out.flush();
    stopped.await();
    return 0;
  }

  /**
   * The stabilization for every configured type: only autoscaled types use it, and which types are
   * autoscaled is the autoscaler's configuration, so none is left out here.
   */
  static Map<String, String> stabilization(OrchestratorConfig config, Duration window) {
    Map<String, String> keys = new HashMap<>();
    for (ResourceType type : config.resourceTypes()) {
      keys.put(ConfigKeys.SCALE_DOWN_STABILIZATION.of(type.name()).name(), window.toMillis() + "ms");
    }
    return keys;
  }
}
