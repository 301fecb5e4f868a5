package iota.orchestrator.topology;

import iota.orchestrator.config.OrchestratorConfig;
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

  private final KafkaStreams streams;

  public StreamsApp(OrchestratorConfig config) {
    this(config, OrchestratorTopology.properties(config));
  }

  public StreamsApp(OrchestratorConfig config, Properties properties) {
    OrchestratorTopology.Routing routing;
    try (Admin admin = Admin.create(new StreamsConfig(properties).getAdminConfigs("iota-orchestrator-routing"))) {
      routing = OrchestratorTopology.routingFor(admin);
    }
    LOG.info("inputs reach the orchestrator {}", routing == OrchestratorTopology.Routing.DIRECT
        ? "directly (every input topic has one partition)" : "through the by-type repartition");
    this.streams = new KafkaStreams(OrchestratorTopology.build(config, OrchestratorTopology.Mode.LIVE, routing), properties);
    streams.setUncaughtExceptionHandler(exception -> {
      // Bad records never get here (the DLQ handler takes them); what does is a bug or a broken
      // environment. Replacing the thread lets the task be revived from its changelog, which is
      // the state of the last committed transaction.
      LOG.error("stream thread failed; replacing it", exception);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.setStateListener((now, before) -> LOG.info("streams state {} -> {}", before, now));
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams streams() {
    return streams;
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
