package iota.orchestrator.embedded;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect standalone worker in this JVM, running the MQTT→Kafka bridge in {@code
 * embedded} mode and in tests.
 *
 * <p>State in the data directory: the source offsets file ({@code connect.offsets}) and the
 * connector configurations put through {@link #putConnector(String, Map)} ({@code
 * connectors.json}, re-applied at start, since a standalone worker otherwise forgets them). So a
 * restart on the same directory resumes the same connectors. Like a standalone worker's connector
 * properties files, {@code connectors.json} holds connector passwords in clear text: the data
 * directory must be private to the user running the orchestrator. Plugins are found with {@code
 * plugin.discovery=service_load} (a classpath scan takes seconds and gigabytes), so a connector
 * must ship a {@code META-INF/services} entry, as ours does.
 *
 * <p>The worker's default converters are String for keys and ByteArray for values, matching the
 * MQTT bridge; a connector config can override them. The REST API listens on 127.0.0.1.
 */
public final class EmbeddedConnect extends LocalServer {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedConnect.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String CONNECTORS_FILE = "connectors.json";
  private static final long REQUEST_TIMEOUT_SECONDS = 30;
  /** Serializes starts: the exit procedure swapped in around a start is JVM-wide. */
  private static final Object START_LOCK = new Object();

  private final Connect<StandaloneHerder> connect;
  private final Map<String, Map<String, String>> connectors;

  private EmbeddedConnect(Path dataDir, Connect<StandaloneHerder> connect, Map<String, Map<String, String>> connectors) {
    super(dataDir);
    this.connect = connect;
    this.connectors = connectors;
  }

  /**
   * Starts a worker writing to {@code bootstrapServers}, with its state in {@code dir} and its REST
   * API on {@code restPort} (0 = any free port), then re-applies the connectors saved in {@code
   * dir}.
   */
  public static EmbeddedConnect start(Path dir, String bootstrapServers, int restPort) {
    return start(dir, bootstrapServers, restPort, Map.of());
  }

  /** As {@link #start(Path, String, int)}, with worker properties in {@code overrides} replacing ours. */
  public static EmbeddedConnect start(Path dir, String bootstrapServers, int restPort, Map<String, String> overrides) {
    long began = System.nanoTime();
    Path base = dir.toAbsolutePath();
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    props.put("offset.storage.file.filename", base.resolve("connect.offsets").toString());
    // Flushing offsets also commits records to the source (our MQTT acks ride on commitRecord,
    // not on this), so a short interval only bounds what a crash makes the worker re-read.
    props.put("offset.flush.interval.ms", "1000");
    props.put("plugin.discovery", "service_load");
    // Port 0 works here: Jetty binds first and the advertised URL carries the bound port.
    props.put("listeners", "http://" + Ports.HOST + ":" + restPort);
    props.putAll(overrides);

    Map<String, Map<String, String>> saved;
    Connect<StandaloneHerder> connect;
    try {
      Files.createDirectories(base);
      saved = readConnectors(base);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka Connect data dir " + base, e);
    }
    synchronized (START_LOCK) {
      // ConnectStandalone ends the JVM with Exit.exit(1) when a worker fails to start; inside
      // the orchestrator's JVM that must be an exception to the caller instead.
      Exit.setExitProcedure((code, message) -> {
        throw new IllegalStateException("Kafka Connect worker failed to start (exit code " + code + ")"
            + (message == null ? "" : ": " + message));
      });
      try {
        connect = new ConnectStandalone().startConnect(props);
      } finally {
        Exit.resetExitProcedure();
      }
    }
    EmbeddedConnect worker = new EmbeddedConnect(base, connect, saved);
    try {
      for (Map.Entry<String, Map<String, String>> c : saved.entrySet()) {
        worker.applyConfig(c.getKey(), c.getValue());
      }
    } catch (RuntimeException e) {
      worker.close();
      throw e;
    }
    LOG.info("Kafka Connect worker up (REST {}) with {} connector(s) and data in {} after {} ms",
        worker.restUrl(), saved.size(), base, (System.nanoTime() - began) / 1_000_000);
    return worker;
  }

  /**
   * Creates or replaces connector {@code name} with {@code config}, waits until the worker has
   * accepted it, and saves it in the data directory so that a restart runs it again.
   *
   * @throws IllegalArgumentException if the worker rejects the config (the message says why)
   */
  public synchronized void putConnector(String name, Map<String, String> config) {
    applyConfig(name, config);
    connectors.put(name, new TreeMap<>(config));
    writeConnectors();
  }

  /** Stops and removes connector {@code name}; its source offsets stay in the offsets file. */
  public synchronized void deleteConnector(String name) {
    FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
    herder().deleteConnectorConfig(name, done);
    await(done, "delete connector " + name);
    connectors.remove(name);
    writeConnectors();
  }

  /** The config last put for connector {@code name}, or null if there is none. */
  public synchronized Map<String, String> connectorConfig(String name) {
    Map<String, String> config = connectors.get(name);
    return config == null ? null : Map.copyOf(config);
  }

  /** The connector's and its tasks' state ({@code RUNNING}, {@code FAILED} with a trace, ...). */
  public ConnectorStateInfo connectorStatus(String name) {
    return herder().connectorStatus(name);
  }

  /**
   * Waits until connector {@code name} and every one of its tasks run. A task runs once its
   * {@code start()} has returned.
   *
   * @throws IllegalStateException when a task failed (the message carries its trace) or {@code
   *     timeout} passed
   */
  public void awaitRunning(String name, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ConnectorStateInfo status;
      try {
        status = connectorStatus(name);
      } catch (NotFoundException notYet) {
        status = null;
      }
      if (status != null) {
        List<ConnectorStateInfo.TaskState> tasks = status.tasks();
        if ("RUNNING".equals(status.connector().state()) && !tasks.isEmpty()
            && tasks.stream().allMatch(t -> "RUNNING".equals(t.state()))) {
          return;
        }
        for (ConnectorStateInfo.TaskState t : tasks) {
          if ("FAILED".equals(t.state())) {
            throw new IllegalStateException("task " + t.id() + " of connector " + name + " failed: " + t.trace());
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("connector " + name + " did not run within " + timeout + " (tasks " + taskStates(name) + ")");
      }
      Thread.sleep(50);
    }
  }

  /** Each task of connector {@code name} as {@code "<id> <state>"}, with the trace of a failed one. */
  public List<String> taskStates(String name) {
    try {
      return connectorStatus(name).tasks().stream()
          .map(t -> t.id() + " " + t.state() + (t.trace() == null ? "" : ": " + t.trace()))
          .toList();
    } catch (NotFoundException notYet) {
      return List.of();
    }
  }

  /** The worker's herder, for anything this class does not wrap. */
  public Herder herder() {
    return connect.herder();
  }

  /** The advertised URL of the worker's REST API, e.g. {@code http://127.0.0.1:8083/}. */
  public URI restUrl() {
    return connect.rest().advertisedUrl();
  }

  /** Stops every task (committing what was written) and the worker. */
  @Override
  protected void stop() {
    connect.stop();
    connect.awaitStop();
    LOG.info("Kafka Connect worker in {} stopped", dataDir());
  }

  private void applyConfig(String name, Map<String, String> config) {
    // The REST API fills in "name" from the path; the herder itself requires it in the config.
    Map<String, String> named = new HashMap<>(config);
    named.put("name", name);
    FutureCallback<Herder.Created<ConnectorInfo>> done = new FutureCallback<>();
    herder().putConnectorConfig(name, named, true, done);
    await(done, "put connector " + name);
  }

  private static <T> T await(FutureCallback<T> callback, String what) {
    try {
      return callback.get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalArgumentException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " timed out after " + REQUEST_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  private static Map<String, Map<String, String>> readConnectors(Path base) throws IOException {
    Path file = base.resolve(CONNECTORS_FILE);
    if (!Files.exists(file)) {
      return new TreeMap<>();
    }
    return JSON.readValue(file.toFile(), new TypeReference<TreeMap<String, Map<String, String>>>() {});
  }

  /** Written to a temporary file and moved, so a crash never leaves half a file to start from. */
  private void writeConnectors() {
    Path file = dataDir().resolve(CONNECTORS_FILE);
    Path tmp = dataDir().resolve(CONNECTORS_FILE + ".tmp");
    try {
      JSON.writeValue(tmp.toFile(), connectors);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save connector configs to " + file, e);
    }
  }
}
