package iota.orchestrator.api;

import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.topology.StreamsApp;
import java.time.Duration;
import java.util.List;

/**
 * One app node as production runs it: the orchestration topology as a Kafka Streams client, the
 * process's metrics bound to it, and the REST server over its stores ({@link ApiServer#forStreams}).
 * {@code stream}, {@code embedded}, the API benchmark and the tests all run this one wiring, so
 * they start and stop the same way.
 *
 * <p>{@link #start()} starts the stream app, then binds the REST port. {@link #close(Duration)}
 * stops them in the opposite order: the REST server first, so no request reaches a closing
 * Streams client; the Streams client next, leaving its group within the timeout; the metrics last,
 * once nothing serves them and the client they read is closed. Each step runs even when one before
 * it failed; the first failure is thrown with the later ones suppressed, not logged and dropped.
 */
public final class AppNode implements AutoCloseable {
  /** How long {@link #close()} gives the Streams client to commit, close and leave its group. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final StreamsApp streams;
  private final OrchestratorMetrics metrics;
  private final ApiServer api;

  private AppNode(StreamsApp streams, OrchestratorMetrics metrics, ApiServer api) {
    this.streams = streams;
    this.metrics = metrics;
    this.api = api;
  }

  /**
   * Builds the node without starting it: {@link #start()} it, or {@link #close()} it when it
   * never starts. Connects to Kafka already (the topology's routing depends on the input topics).
   */
  public static AppNode create(OrchestratorConfig config) {
    StreamsApp streams = new StreamsApp(config);
    OrchestratorMetrics metrics = new OrchestratorMetrics();
    try {
      return new AppNode(streams, metrics, ApiServer.forStreams(config, streams, metrics));
    } catch (RuntimeException e) {
      closeAll(e, List.of(streams::close, metrics::close));
      throw e;
    }
  }

  /**
   * Starts the stream app, then builds the REST server and binds its port; closes what it built
   * when the start fails. The REST server needs nothing of a running stream app, and building it
   * (Javalin, Jetty, the orchestrate gateway's clients) took 1-8 s of a restart: built while the
   * stream app joins its group and restores its stores, it is off the path to RUNNING.
   */
  public static AppNode start(OrchestratorConfig config) {
    StreamsApp streams = new StreamsApp(config);
    OrchestratorMetrics metrics = new OrchestratorMetrics();
    try {
      streams.start();
    } catch (RuntimeException e) {
      closeAll(e, List.of(() -> streams.close(DEFAULT_CLOSE_TIMEOUT), metrics::close));
      throw e;
    }
    AppNode node;
    try {
      node = new AppNode(streams, metrics, ApiServer.forStreams(config, streams, metrics));
    } catch (RuntimeException e) {
      closeAll(e, List.of(() -> streams.close(DEFAULT_CLOSE_TIMEOUT), metrics::close));
      throw e;
    }
    try {
      node.api.start();
      return node;
    } catch (RuntimeException e) {
      closeAll(e, node.closeSteps(DEFAULT_CLOSE_TIMEOUT));
      throw e;
    }
  }

  /** Starts the stream app, then binds the REST port. */
  public AppNode start() {
    streams.start();
    api.start();
    return this;
  }

  public StreamsApp streams() {
    return streams;
  }

  public OrchestratorMetrics metrics() {
    return metrics;
  }

  public ApiServer api() {
    return api;
  }

  /** {@link #close(Duration)} with {@link #DEFAULT_CLOSE_TIMEOUT}. */
  @Override
  public void close() {
    close(DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * Stops the REST server, the stream app (given {@code streamsTimeout}) and the metrics, in that
   * order; throws the first failure with the later ones suppressed.
   */
  public void close(Duration streamsTimeout) {
    RuntimeException failure = closeAll(null, closeSteps(streamsTimeout));
    if (failure != null) {
      throw failure;
    }
  }

  private List<Runnable> closeSteps(Duration streamsTimeout) {
    return List.of(api::close, () -> streams.close(streamsTimeout), metrics::close);
  }

  /** Runs every step; returns {@code failure} (or the first failure) with the others suppressed. */
  private static RuntimeException closeAll(RuntimeException failure, List<Runnable> steps) {
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }
}
