package iota.orchestrator.connect;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import iota.orchestrator.embedded.EmbeddedConnect;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka Connect worker running the shipped bridge config in a child JVM, so that a test can
 * stop it (SIGTERM: Connect stops its tasks cleanly) or kill it (SIGKILL: nothing is flushed, no
 * MQTT DISCONNECT is sent), as happens to a real worker.
 */
final class BridgeWorker implements AutoCloseable {
  private final Process process;

  private BridgeWorker(Process process) {
    this.process = process;
  }

  /** Starts a worker with its state in {@code dir}, bridging {@code mqttUri} into {@code bootstrap}. */
  static BridgeWorker start(Path dir, String bootstrap, String mqttUri) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        BridgeWorker.class.getName(), dir.toString(), bootstrap, mqttUri)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolveSibling(dir.getFileName() + ".log").toFile()))
        .start();
    return new BridgeWorker(process);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, and waits for the process to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the shutdown hook stops Connect, which stops the task cleanly. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    EmbeddedConnect connect = EmbeddedConnect.start(dir, args[1], 0);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      connect.close();
      stopped.countDown();
    }));
    Map<String, Object> shipped = new ObjectMapper().readValue(new File("connectors/iota-mqtt-source.json"), new TypeReference<>() {});
    @SuppressWarnings("unchecked")
    Map<String, String> config = new HashMap<>((Map<String, String>) shipped.get("config"));
    config.put("mqtt.server.uri", args[2]);
    connect.putConnector((String) shipped.get("name"), config);
    System.out.println("BRIDGE RUNNING " + List.of(args));
    stopped.await();
  }
}
