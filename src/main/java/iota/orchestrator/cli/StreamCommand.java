package iota.orchestrator.cli;

import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.topology.StreamsApp;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stream}: runs the orchestration topology against a Kafka cluster until SIGTERM. */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    description = {
      "Run the orchestration topology (a Kafka Streams application) against the Kafka cluster named by "
          + "--bootstrap-servers / IOTA_BOOTSTRAP_SERVERS. Every IOTA_* variable and KAFKA_* variable "
          + "(as a Kafka client property) applies; see README.md for the keys."
    })
public final class StreamCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(StreamCommand.class);

  @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (iota.bootstrap.servers)")
  String bootstrapServers;

  @Option(names = "--application-id", description = "Kafka Streams application.id (default iota-orchestrator)")
  String applicationId;

  @Option(names = "--state-dir", description = "directory of the RocksDB stores (default data/streams)")
  String stateDir;

  @Option(names = "--config", description = "a properties file with iota.* and kafka.* keys")
  String configFile;

  @Option(names = "--heartbeat-timeout", description = "heartbeat timeout, e.g. 90s (default 90s)")
  String heartbeatTimeout;

  @Override
  public Integer call() throws Exception {
    OrchestratorConfig config = OrchestratorConfig.load(new Flags()
        .put("iota.bootstrap.servers", bootstrapServers)
        .put("iota.application.id", applicationId)
        .put("iota.state.dir", stateDir)
        .put("iota.config.file", configFile)
        .put("iota.heartbeat.timeout", heartbeatTimeout)
        .map());
    config.bootstrapServers();
    CountDownLatch stopped = new CountDownLatch(1);
    try (StreamsApp app = new StreamsApp(config)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("stopping");
        app.close();
        stopped.countDown();
      }, "shutdown"));
      app.start();
      stopped.await();
    }
    return 0;
  }
}
