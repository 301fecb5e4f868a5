package iota.orchestrator.cli;

import iota.orchestrator.api.AppNode;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stream}: runs the orchestration topology against a Kafka cluster until SIGTERM. */
@Command(
    name = "stream",
    resourceBundle = ConfigDefaults.BUNDLE,
    mixinStandardHelpOptions = true,
    description = {
      "Run the orchestration topology (a Kafka Streams application) and its REST API against the "
          + "Kafka cluster named by --bootstrap-servers / IOTA_BOOTSTRAP_SERVERS. Run several with the "
          + "same application id to scale out; each answers every query. Every IOTA_* variable and "
          + "KAFKA_* variable (as a Kafka client property) applies; see README.md for the keys."
    })
public final class StreamCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(StreamCommand.class);

  @Mixin ClusterOptions cluster;

  @Option(names = "--application-id", description = "Kafka Streams application.id (iota.application.id, default ${bundle:iota.application.id})")
  String applicationId;

  @Option(names = "--state-dir", description = "directory of the RocksDB stores (iota.state.dir, default ${bundle:iota.state.dir})")
  String stateDir;

  @Option(names = "--heartbeat-timeout", description = "heartbeat timeout, e.g. 90s (iota.heartbeat.timeout, default ${bundle:iota.heartbeat.timeout})")
  String heartbeatTimeout;

  @Option(names = "--http-port", description = "REST API port (iota.http.port, default ${bundle:iota.http.port})")
  Integer httpPort;

  @Option(names = "--instance-id", description = "stable identity of this instance in the consumer group, e.g. the StatefulSet pod name (iota.instance.id / IOTA_INSTANCE_ID): restarted with the same one it takes its tasks back at once")
  String instanceId;

  @Option(names = "--application-server", description = "host:port other instances reach this one's REST API at (iota.application.server); required when scaled out")
  String applicationServer;

  @Override
  public Integer call() throws Exception {
    OrchestratorConfig config = OrchestratorConfig.load(cluster.flags()
        .put(ConfigKeys.APPLICATION_ID, applicationId)
        .put(ConfigKeys.STATE_DIR, stateDir)
        .put(ConfigKeys.HEARTBEAT_TIMEOUT, heartbeatTimeout)
        .put(ConfigKeys.HTTP_PORT, httpPort)
        .put(ConfigKeys.APPLICATION_SERVER, applicationServer)
        .put(ConfigKeys.INSTANCE_ID, instanceId)
        .map());
    config.require(ConfigKeys.BOOTSTRAP_SERVERS);
    CountDownLatch stopped = new CountDownLatch(1);
    AppNode node = AppNode.create(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping");
      try {
        node.close();
      } catch (RuntimeException e) {
        LOG.error("stopping failed", e);
      } finally {
        stopped.countDown();
      }
    }, "shutdown"));
    node.start();
    LOG.info("stream app {} running{}; REST API on port {}", config.get(ConfigKeys.APPLICATION_ID),
        config.get(ConfigKeys.INSTANCE_ID) == null ? " as a dynamic group member (no iota.instance.id: a restart waits for the old member's session)"
            : " as instance " + config.get(ConfigKeys.INSTANCE_ID), node.api().port());
    stopped.await();
    return 0;
  }
}
