package iota.orchestrator.bench;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.admin.TopicSpec;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.topics.Topics;
import iota.orchestrator.topology.StreamsApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The topology's own throughput on a real broker: change events are produced straight into {@code
 * iota.cm-notify} of a fresh in-JVM Kafka broker while no stream app runs, then the production
 * {@link StreamsApp} (exactly-once, RocksDB stores, default commit interval, one partition per topic
 * as in {@code embedded}) starts and the rate is the number of resources divided by the time from
 * RUNNING until its consumer group has committed the input's end offset (lag 0). The executor does
 * not run: this is the topology alone, committing as it does in production.
 */
final class TopologyThroughput {
  private static final String APPLICATION_ID = "iota-scale-bench";
  private static final Duration POLL = Duration.ofMillis(50);

  /** Resources per second, how long RUNNING took, the producer's rate and the rejected records. */
  record Result(int resources, int messages, double perSecond, double secondsToRunning, double caughtUpSeconds, double producedPerSecond,
      long deadLettered, double cores, double streamThreadMicrosPerResource) {
    /**
     * What the stream thread's own CPU time allows: the rate with a core to itself and the broker
     * elsewhere. On a busy machine the wall-clock rate mostly says how little CPU the thread got.
     */
    double perSecondOnOwnCore() {
      return streamThreadMicrosPerResource > 0 ? 1e6 / streamThreadMicrosPerResource : Double.NaN;
    }
  }

  private TopologyThroughput() {}

  /**
   * Produces {@code resources} Thing creates, {@code perMessage} ids per message ({@code c} events
   * when 1, {@code bc} otherwise), then runs the stream app until it has caught up.
   */
  static Result measure(Path dir, int resources, int perMessage, Duration timeout) throws Exception {
    return measure(dir, resources, perMessage, timeout, Map.of());
  }

  /** As above, with {@code overrides} on top of the configuration (to see what a setting costs). */
  static Result measure(Path dir, int resources, int perMessage, Duration timeout, Map<String, String> overrides) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    try {
      String bootstrap = kafka.bootstrapServers();
      TopicSpec.createForTests(bootstrap, 1);
      long p0 = System.nanoTime();
      int messages = produce(bootstrap, resources, perMessage);
      double produced = resources / ((System.nanoTime() - p0) / 1e9);

      Map<String, String> flags = new HashMap<>(overrides);
      flags.put(ConfigKeys.BOOTSTRAP_SERVERS.name(), bootstrap);
      flags.put(ConfigKeys.APPLICATION_ID.name(), APPLICATION_ID);
      flags.put(ConfigKeys.STATE_DIR.name(), dir.resolve("streams").toString());
      OrchestratorConfig config = OrchestratorConfig.of(flags);
      TopicPartition input = new TopicPartition(Topics.CM_NOTIFY.name(), 0);
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
          StreamsApp app = new StreamsApp(config)) {
        long end = admin.listOffsets(Map.of(input, OffsetSpec.latest())).partitionResult(input).get().offset();
        long deadline = System.nanoTime() + timeout.toNanos();
        long t0 = System.nanoTime();
        app.start();
        while (app.state() != KafkaStreams.State.RUNNING) {
          check(app, deadline, "RUNNING");
          LockSupport.parkNanos(POLL.toNanos());
        }
        long running = System.nanoTime();
        long cpu0 = CpuTime.process();
        long thread0 = streamThreadCpuNanos();
        while (committed(admin, input) < end) {
          check(app, deadline, "lag 0 on " + input);
          LockSupport.parkNanos(POLL.toNanos());
        }
        long caughtUp = System.nanoTime();
        double cores = (CpuTime.process() - cpu0) / (double) (caughtUp - running);
        double threadMicros = (streamThreadCpuNanos() - thread0) / 1e3 / resources;
        long dlq = endOffset(admin, new TopicPartition(Topics.DLQ.name(), 0));
        double seconds = (caughtUp - running) / 1e9;
        return new Result(resources, messages, resources / seconds, (running - t0) / 1e9, seconds, produced, dlq, cores, threadMicros);
      }
    } finally {
      kafka.close();
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  private static int produce(String bootstrap, int resources, int perMessage) throws InterruptedException, ExecutionException {
    Map<String, Object> props = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.LINGER_MS_CONFIG, 20,
        ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    int messages = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      StringBuilder bulk = new StringBuilder();
      for (int i = 0; i < resources; i += perMessage) {
        String json;
        if (perMessage == 1) {
          json = "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"t-" + i + "\"}}";
        } else {
          bulk.setLength(0);
          bulk.append("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[");
          for (int j = i; j < Math.min(resources, i + perMessage); j++) {
            bulk.append(j == i ? "" : ",").append("{\"id\":\"t-").append(j).append("\"}");
          }
          json = bulk.append("]}").toString();
        }
        producer.send(new ProducerRecord<>(Topics.CM_NOTIFY.name(), json.getBytes(StandardCharsets.UTF_8)));
        messages++;
      }
      producer.flush();
    }
    return messages;
  }

  private static long committed(Admin admin, TopicPartition input) throws InterruptedException, ExecutionException {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata().get();
    OffsetAndMetadata committed = offsets.get(input);
    return committed == null ? 0 : committed.offset();
  }

  private static long endOffset(Admin admin, TopicPartition partition) throws InterruptedException, ExecutionException {
    return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
  }

  private static void check(StreamsApp app, long deadline, String what) {
    if (app.state() == KafkaStreams.State.ERROR || app.state() == KafkaStreams.State.NOT_RUNNING) {
      throw new IllegalStateException("the stream app stopped (" + app.state() + ") before " + what);
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("the stream app did not reach " + what + " in time");
    }
  }

  /** CPU time of the stream threads (their producers' network threads are separate threads). */
  private static long streamThreadCpuNanos() {
    return CpuTime.threads(name -> name.startsWith(APPLICATION_ID) && name.matches(".*-StreamThread-[0-9]+"));
  }

  static List<String> describe(Result r, String kind) {
    return List.of(String.format("%s: %,.0f resources/s (%,d resources in %,d messages, caught up %.1f s after RUNNING, RUNNING %.1f s after start; produced at %,.0f/s; %d dead-lettered; the JVM used %.2f cores)",
        kind, r.perSecond(), r.resources(), r.messages(), r.caughtUpSeconds(), r.secondsToRunning(), r.producedPerSecond(), r.deadLettered(), r.cores()),
        String.format("%s: the stream thread's CPU: %.1f us per resource, so %,.0f resources/s on a core of its own",
            kind, r.streamThreadMicrosPerResource(), r.perSecondOnOwnCore()));
  }
}
