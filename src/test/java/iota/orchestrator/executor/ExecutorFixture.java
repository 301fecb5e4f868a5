package iota.orchestrator.executor;

import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.embedded.SimulatedKubernetes;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the executor tests run an {@link Executor} against: a real ZooKeeper, a simulated
 * Kubernetes, a {@link ReplayingConsumer} the test appends records to and a {@link MockProducer}
 * that keeps what the executor dead-letters. A test class registers it per test
 * ({@code @RegisterExtension final ExecutorFixture env = new ExecutorFixture()}); it starts before
 * each test and closes after it, with every executor it made.
 */
final class ExecutorFixture implements BeforeEachCallback, AfterEachCallback {
  static final String ROOT = "/iota/orchestration";
  static final String NS = "iota";

  TestingServer zkServer;
  CuratorFramework curator;
  SimulatedKubernetes k8sServer;
  KubernetesClient k8s;
  ReplayingConsumer consumer;
  MockProducer<byte[], byte[]> producer;
  private final List<Executor> executors = new ArrayList<>();

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    zkServer = new TestingServer(true);
    curator = ZooKeeperClients.create(OrchestratorConfig.of(Map.of("iota.zookeeper.connect", zkServer.getConnectString())));
    k8sServer = SimulatedKubernetes.start(0);
    k8s = k8sServer.newClient(SimulatedKubernetes.DEFAULT_NAMESPACE);
    consumer = new ReplayingConsumer();
    producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      executors.forEach(Executor::close);
      k8s.close();
      k8sServer.close();
      curator.close();
    } finally {
      zkServer.close();
    }
  }

  /** {@link #executor(int, Path, Duration)} with the default {@code iota.precondition.timeout}. */
  Executor executor(int maxAttempts, Path templates) {
    return executor(maxAttempts, templates, ConfigKeys.PRECONDITION_TIMEOUT.defaultValue());
  }

  /**
   * An executor over the fixture's clients with test timings (50 ms polls, backoff from 10 to 100
   * ms, the pod templates of {@code templates}); not subscribed yet, closed after the test.
   */
  Executor executor(int maxAttempts, Path templates, Duration preconditionTimeout) {
    return owned(new Executor(
        consumer,
        producer,
        new ZooKeeperApplier(curator, ROOT, Duration.ofMillis(300)),
        new KubernetesApplier(k8s, NS, new PodTemplates(templates), Duration.ofSeconds(10)),
        null,
        new Executor.Settings(maxAttempts, Duration.ofMillis(50), Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMinutes(1),
            Duration.ofSeconds(5), 4, preconditionTimeout)));
  }

  /** Closes {@code executor} after the test; for one the test built itself. */
  Executor owned(Executor executor) {
    executors.add(executor);
    return executor;
  }

  /** Subscribes {@code executor}, to be driven round by round from the test thread, with these partitions. */
  Executor stepped(Executor executor, List<TopicPartition> partitions) {
    executor.subscribe();
    assign(partitions);
    return executor;
  }

  /** Gives the consumer these partitions, each read from offset 0. */
  void assign(List<TopicPartition> partitions) {
    consumer.rebalance(partitions);
    consumer.updateBeginningOffsets(partitions.stream().collect(Collectors.toMap(Function.identity(), p -> 0L)));
  }

  /** The offset the executor committed on {@code tp}, null before its first commit. */
  Long committed(TopicPartition tp) {
    OffsetAndMetadata o = consumer.committed(Set.of(tp)).get(tp);
    return o == null ? null : o.offset();
  }

  /** What the executor sent to the dead-letter topic, oldest first. */
  List<ProducerRecord<byte[], byte[]>> deadLetters() {
    return producer.history().stream().filter(r -> r.topic().equals(Topics.DLQ.name())).toList();
  }

  static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
