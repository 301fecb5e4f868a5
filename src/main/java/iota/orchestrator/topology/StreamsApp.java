package iota.orchestrator.topology;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.topics.Topic;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The orchestration topology running as a Kafka Streams client: start, observe, close. */
public final class StreamsApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
  /** A thread may go this long processing without a commit (rebalances, slow brokers) before it counts as stuck. */
  private static final Duration MIN_COMMIT_STALL = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final StreamsHealth health;
  private final RestoreLog restoring = new RestoreLog();

  public StreamsApp(OrchestratorConfig config) {
    this(config, OrchestratorTopology.properties(config));
  }

  public StreamsApp(OrchestratorConfig config, Properties properties) {
    OrchestratorTopology.Routing routing;
    RecordLimits limits;
    try (Admin admin = Admin.create(new StreamsConfig(properties).getAdminConfigs("iota-orchestrator-routing"))) {
      routing = OrchestratorTopology.routingFor(admin);
      limits = RecordLimits.of(config).withTopicLimits(OrchestratorTopology.maxMessageBytes(admin, OrchestratorTopology.OUTPUTS.stream().map(Topic::name).toList()));
    }
    LOG.info("inputs reach the orchestrator {}", routing == OrchestratorTopology.Routing.DIRECT
        ? "directly (every input topic has one partition)" : "through the by-type repartition");
    LOG.info("largest records written: {}", limits);
    this.streams = new KafkaStreams(OrchestratorTopology.build(config, OrchestratorTopology.Mode.LIVE, routing, limits), properties);
    Duration commit = config.get(ConfigKeys.COMMIT_INTERVAL);
    Duration stall = commit.multipliedBy(20).compareTo(MIN_COMMIT_STALL) > 0 ? commit.multipliedBy(20) : MIN_COMMIT_STALL;
    this.health = StreamsHealth.of(streams, config.get(ConfigKeys.HEALTH_FAILURE_WINDOW), stall);
    streams.setUncaughtExceptionHandler(exception -> {
      // Bad records never get here (the DLQ handler takes them); what does is a bug or a broken
      // environment. Replacing the thread lets the task be revived from its changelog, which is
      // the state of the last committed transaction. The health check counts it: Streams' own
      // state stays RUNNING while a thread is replaced, however often.
      health.threadFailed(exception);
      LOG.error("stream thread failed; replacing it", exception);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.setStateListener((now, before) -> LOG.info("streams state {} -> {}", before, now));
    streams.setGlobalStateRestoreListener(restoring);
  }

  /**
   * What restoring the stores still has to read, or an empty string when nothing is being restored:
   * what a start waiting for RUNNING says it waits for.
   */
  public String restoreProgress() {
    return restoring.progress();
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** Thread failures, replacement loops and stalled commits, beside the client's state. */
  public StreamsHealth health() {
    return health;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * Closes within the timeout, leaving the consumer group so the other instances take over this
   * one's tasks at once instead of after the session timeout; says so when it could not.
   */
  public void close(Duration timeout) {
    CloseOptions options = CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(timeout);
    if (!streams.close(options)) {
      LOG.warn("streams did not close within {}", timeout);
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
