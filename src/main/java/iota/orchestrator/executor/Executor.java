package iota.orchestrator.executor;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.topics.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor: consumes {@code iota.orchestrator.assignments} and {@code iota.orchestrator.pod-commands}
 * and applies them, in rounds, to ZooKeeper ({@link AssignmentRound}, {@link ZooKeeperApplier}) and
 * Kubernetes ({@link PodCommandRound}, {@link KubernetesApplier}); beside the loop it runs the {@link
 * PodWatcher} and the {@link OrphanSweeper} (which holds the apply lock while it removes an orphan,
 * so a removal never races a round). This class wires them, runs the loop and commits.
 *
 * <p>Delivery: the consumer reads committed transactions only and never auto-commits; an offset is
 * committed (synchronously) only after the effects of the records before it are applied, so a crash
 * means applying some records again, which both appliers make harmless. Every write and removal of
 * an instance is fenced by its sequence (a tombstone's is in its {@code Topics.ASSIGNMENT_SEQ_HEADER}
 * header; one without it is dead-lettered), see {@link ZooKeeperApplier}.
 *
 * <p>Failures come in two kinds, and only one of them may cost a command its place:
 *
 * <ul>
 *   <li><b>An outage</b> ({@link DependencyUnavailableException}: ZooKeeper or the Kubernetes API
 *       unreachable, the DLQ producer failing). Nothing is wrong with the command, so no attempt is
 *       counted and nothing is dead-lettered, however long it lasts: ZooKeeper being down for ten
 *       seconds or ten minutes must delay the plan, not lose it.
 *   <li><b>A command failure</b> (anything else: refused by ACLs or the API, missing template, a
 *       re-create that timed out, a bug). It is retried with exponential backoff; after {@code
 *       iota.executor.max.attempts} attempts the record goes to {@code iota.orchestrator.dlq} with its
 *       original key and value bytes, the reason and origin in the {@code DeadLetterHeaders}, and the
 *       executor goes on. A record that cannot even be read goes there at once. {@link Retries}
 *       decides which, {@link DeadLetterSender} writes the dead letter.
 * </ul>
 *
 * A record whose {@code after} preconditions do not hold yet ({@link Preconditions}: a load move's
 * receivers, a scale-down's emptied assignment) is neither: it waits, costing no attempt, and is
 * dead-lettered only after {@code iota.precondition.timeout} ({@link Retries}).
 *
 * <p>Retrying uses the consumer: after a round, every partition with an unfinished record is sought
 * back to that record and the loop waits out the backoff, then polls again. Polling keeps the
 * consumer in its group during a long outage, and re-reading from the broker is what a restart would
 * do anyway.
 *
 * <p>Every line logged while applying a command carries its id in the SLF4J MDC key {@value
 * #MDC_COMMAND_ID} (the pod command's id; {@code <Resource>/<id>@<seq>} for an assignment).
 *
 * <p>Life cycle: {@link #start()} starts the companions of the loop (pod watcher, orphan sweeper),
 * then the loop thread; {@link #close()} wakes the consumer with {@code wakeup()} (never an
 * interrupt) and closes everything with timeouts. A round in progress stops before its next
 * command: what it applied is committed, the rest is applied at the next start.
 */
public final class Executor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Executor.class);

  /** MDC key holding the id of the command being applied. */
  public static final String MDC_COMMAND_ID = "commandId";

  /** How long one ZooKeeper write waits for a lost connection before the round counts as an outage. */
  static final Duration ZOOKEEPER_CONNECT_WAIT = Duration.ofSeconds(5);

  /** How long a re-create waits for the old pod to go; a node that is down can hold it longer. */
  static final Duration POD_GONE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Tuning of the loop.
   *
   * @param maxAttempts tries of a failing command before it is dead-lettered
   * @param pollTimeout how long one poll waits for records
   * @param initialBackoff the wait after the first failed round; doubles per round up to maxBackoff
   * @param maxBackoff kept well below {@code max.poll.interval.ms}, since the loop waits before polling
   * @param roundBudget after this long in one round the rest of the batch is left for the next poll,
   *     so slow re-creates cannot keep the consumer from polling until the group evicts it
   * @param closeTimeout bound of each step of {@link #close()}
   * @param zooKeeperWriters how many instances of one round are written to ZooKeeper at once
   * @param preconditionTimeout how long a record waits for its {@code after} preconditions before it
   *     is dead-lettered ({@link Retries})
   */
  public record Settings(
      int maxAttempts, Duration pollTimeout, Duration initialBackoff, Duration maxBackoff, Duration roundBudget, Duration closeTimeout,
      int zooKeeperWriters, Duration preconditionTimeout) {

    public Settings {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
      if (zooKeeperWriters < 1) {
        throw new IllegalArgumentException("zooKeeperWriters must be at least 1");
      }
      Objects.requireNonNull(preconditionTimeout, "preconditionTimeout");
    }

    /** Settings with the default {@code iota.precondition.timeout}. */
    public Settings(
        int maxAttempts, Duration pollTimeout, Duration initialBackoff, Duration maxBackoff, Duration roundBudget, Duration closeTimeout,
        int zooKeeperWriters) {
      this(maxAttempts, pollTimeout, initialBackoff, maxBackoff, roundBudget, closeTimeout, zooKeeperWriters,
          ConfigKeys.PRECONDITION_TIMEOUT.defaultValue());
    }

    public static Settings from(OrchestratorConfig config) {
      return new Settings(
          config.get(ConfigKeys.EXECUTOR_MAX_ATTEMPTS),
          Duration.ofSeconds(1),
          Duration.ofMillis(200),
          Duration.ofSeconds(30),
          Duration.ofMinutes(2),
          Duration.ofSeconds(30),
          config.get(ConfigKeys.EXECUTOR_ZOOKEEPER_WRITERS),
          config.get(ConfigKeys.PRECONDITION_TIMEOUT));
    }

    Duration backoff(int failedRounds) {
      long millis = initialBackoff.toMillis() << Math.min(Math.max(failedRounds - 1, 0), 20);
      return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
  }

  /**
   * Something that runs beside the command loop for the executor's life (the pod watcher, the
   * orphan sweeper): started before the loop, closed after it, in reverse order of start.
   */
  private record Companion(Runnable start, AutoCloseable close) {}

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final Settings settings;
  private final Retries retries;
  private final AssignmentRound assignments;
  private final PodCommandRound podCommands;
  private final List<Companion> companions = new ArrayList<>();
  private final List<AutoCloseable> owned = new ArrayList<>();
  /**
   * Held while a round applies its records; the {@link OrphanSweeper} holds it while it checks and
   * makes a removal, so nothing it judged is written meanwhile.
   */
  private final ReentrantLock applying = new ReentrantLock();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> termination = new CompletableFuture<>();
  private final CompletableFuture<Void> assigned = new CompletableFuture<>();
  private Map<TopicPartition, OffsetAndMetadata> uncommitted = Map.of();
  private Thread thread;

  /**
   * The executor of a process, wired from the configuration: Kafka clients from {@code
   * iota.bootstrap.servers}, {@code iota.executor.group.id} and the {@code kafka.*} overrides;
   * znodes under {@code iota.zookeeper.root}; pods in {@code iota.kubernetes.namespace} from {@code
   * iota.templates.dir}. The given Kubernetes and Curator clients stay the caller's to close.
   */
  public Executor(OrchestratorConfig config, KubernetesClient kubernetes, CuratorFramework curator) {
    this(config, kubernetes, curator, new KafkaProducer<>(producerProperties(config)));
  }

  private Executor(OrchestratorConfig config, KubernetesClient kubernetes, CuratorFramework curator, Producer<byte[], byte[]> producer) {
    this(
        new KafkaConsumer<>(consumerProperties(config)),
        producer,
        new ZooKeeperApplier(curator, config.require(ConfigKeys.ZOOKEEPER_ROOT), ZOOKEEPER_CONNECT_WAIT),
        new KubernetesApplier(
            kubernetes,
            config.require(ConfigKeys.KUBERNETES_NAMESPACE),
            new PodTemplates(Path.of(config.require(ConfigKeys.TEMPLATES_DIR))),
            POD_GONE_TIMEOUT),
        new PodWatcher(kubernetes, config.require(ConfigKeys.KUBERNETES_NAMESPACE), producer, Clock.systemUTC(), PodWatcher.DEFAULT_RESYNC,
            config.resourceTypes().stream().map(ResourceType::name).toList(), PodWatcher.DEFAULT_INVENTORY_INTERVAL),
        Settings.from(config));
    OrphanSweeper orphans = OrphanSweeper.create(config, kubernetes, curator, producer, applying);
    runBeside(orphans::start, orphans);
    if (config.get(ConfigKeys.ZOOKEEPER_AUTH) == null) {
      ZooKeeperClients.warnOpenAcl();
    }
  }

  /**
   * An executor over the given clients, for tests and for callers that build their own. It owns the
   * consumer and the producer (closes them); {@code watcher} may be null.
   */
  public Executor(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      ZooKeeperApplier zookeeper,
      KubernetesApplier kubernetes,
      PodWatcher watcher,
      Settings settings) {
    this.consumer = Objects.requireNonNull(consumer);
    this.producer = Objects.requireNonNull(producer);
    this.settings = Objects.requireNonNull(settings);
    this.retries = new Retries(settings, new DeadLetterSender(producer, settings.closeTimeout()));
    this.assignments = new AssignmentRound(Objects.requireNonNull(zookeeper), settings.zooKeeperWriters(), retries);
    this.podCommands = new PodCommandRound(Objects.requireNonNull(kubernetes), new Preconditions(zookeeper), retries);
    if (watcher != null) {
      runBeside(watcher::start, watcher);
    }
  }

  /** Adds a companion of the loop: started by {@link #start()} in the order added, closed by {@link #close()} in reverse. */
  private void runBeside(Runnable start, AutoCloseable close) {
    companions.add(new Companion(start, close));
  }

  /**
   * Builds every client from the configuration (Curator with {@link ZooKeeperClients}, Kubernetes
   * from kubeconfig or the in-cluster service account), starts the executor and returns it; closing
   * it closes those clients too.
   */
  public static Executor start(OrchestratorConfig config) {
    CuratorFramework curator = ZooKeeperClients.create(config);
    KubernetesClient kubernetes;
    Executor executor;
    try {
      kubernetes = new KubernetesClientBuilder().build();
      try {
        executor = new Executor(config, kubernetes, curator);
      } catch (RuntimeException e) {
        kubernetes.close();
        throw e;
      }
    } catch (RuntimeException e) {
      curator.close();
      throw e;
    }
    executor.owned.add(kubernetes);
    executor.owned.add(curator);
    executor.start();
    return executor;
  }

  static Map<String, Object> consumerProperties(OrchestratorConfig config) {
    Map<String, Object> p = new HashMap<>(config.kafkaOverrides());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.require(ConfigKeys.BOOTSTRAP_SERVERS));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.require(ConfigKeys.EXECUTOR_GROUP_ID));
    // A fresh group must apply the whole compacted plan, not only what arrives from now on.
    p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "iota-executor");
    if (config.get(ConfigKeys.INSTANCE_ID) != null) {
      // Static membership: an executor restarted under the same identity (its pod name) gets its
      // partitions back at once; without it the group waits out the dead member's session (45 s).
      p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.get(ConfigKeys.INSTANCE_ID));
    }
    // Correctness, not tuning, so no override may change these: offsets are committed by hand after
    // the effects, and aborted topology transactions must never reach ZooKeeper or Kubernetes.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  static Map<String, Object> producerProperties(OrchestratorConfig config) {
    Map<String, Object> p = new HashMap<>(config.kafkaOverrides());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.require(ConfigKeys.BOOTSTRAP_SERVERS));
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "iota-executor-producer");
    // A dead letter is the only copy of a command once its offset is committed.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** Starts the companions (the pod watcher, the orphan sweeper) and the command loop on its own thread. */
  public synchronized void start() {
    if (thread != null || closed.get()) {
      throw new IllegalStateException("the executor was already started or closed");
    }
    for (Companion companion : companions) {
      companion.start().run();
    }
    thread = new Thread(this::run, "iota-executor");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Completes when the command loop has stopped: normally after {@link #close()}, exceptionally when
   * it died of an unexpected error (the process should then exit and be restarted).
   */
  public CompletableFuture<Void> termination() {
    return termination;
  }

  /**
   * Completes once the consumer holds partitions of its topics for the first time, so that a
   * command written from then on is applied without waiting for a rebalance (what {@code embedded}
   * waits for before it says READY). Never completes for an executor whose group gives it nothing.
   */
  public CompletableFuture<Void> assigned() {
    return assigned;
  }

  /** Subscribes the consumer; the loop thread does this itself, tests driving {@link #pollOnce()} call it. */
  void subscribe() {
    consumer.subscribe(
        List.of(Topics.ASSIGNMENTS.name(), Topics.POD_COMMANDS.name()),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Offsets are committed after every round, so there is nothing to flush.
            retries.forget(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.info("applying commands of {}", partitions);
            if (!partitions.isEmpty()) {
              assigned.complete(null);
            }
          }
        });
  }

  private void run() {
    Throwable failure = null;
    try {
      subscribe();
      while (stopping.getCount() > 0) {
        Duration backoff = pollOnce();
        if (!backoff.isZero() && stopping.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
          break;
        }
      }
    } catch (WakeupException e) {
      if (stopping.getCount() > 0) {
        failure = e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = e;
    } catch (Throwable t) {
      failure = t;
      log.error("the executor loop stopped on an unexpected error", t);
    } finally {
      commitLeftovers();
      try {
        closeConsumer();
      } catch (RuntimeException e) {
        log.warn("closing the consumer failed", e);
      }
      if (failure == null) {
        termination.complete(null);
      } else {
        termination.completeExceptionally(failure);
      }
    }
  }

  /**
   * One round: poll, apply, commit what was applied, seek back to what was not. Returns how long to
   * wait before the next round (zero when everything was applied).
   */
  Duration pollOnce() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
    if (records.isEmpty()) {
      return Duration.ZERO;
    }
    applying.lock();
    try {
      return apply(records);
    } finally {
      applying.unlock();
    }
  }

  private Duration apply(ConsumerRecords<byte[], byte[]> records) {
    Round round = new Round(System.nanoTime() + settings.roundBudget().toNanos(), () -> stopping.getCount() == 0);
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    for (TopicPartition tp : assignmentsFirst(records.partitions())) {
      List<ConsumerRecord<byte[], byte[]>> batch = records.records(tp);
      long next = tp.topic().equals(Topics.ASSIGNMENTS.name())
          ? assignments.apply(batch, round)
          : podCommands.apply(tp, batch, logEndAtLeast(tp, batch), round);
      long first = batch.get(0).offset();
      long end = batch.get(batch.size() - 1).offset() + 1;
      if (next > first) {
        commits.put(tp, new OffsetAndMetadata(next));
      }
      if (next < end) {
        consumer.seek(tp, next);
      }
      retries.forgetBefore(tp, next);
    }
    commit(commits);
    return retries.backoffAfter(round);
  }

  /**
   * The partitions of a poll, assignments before pod commands, so that a pod command waiting for an
   * assignment of the same poll (a scale-down's delete) finds it written rather than waiting a round.
   */
  private static List<TopicPartition> assignmentsFirst(Collection<TopicPartition> partitions) {
    List<TopicPartition> ordered = new ArrayList<>(partitions);
    ordered.sort(Comparator.comparing((TopicPartition tp) -> !tp.topic().equals(Topics.ASSIGNMENTS.name())));
    return ordered;
  }

  /**
   * A lower bound of {@code tp}'s committed end: what the last fetch reported (read_committed: the
   * last stable offset), at least past this batch. Every command below it was decided before now.
   */
  private long logEndAtLeast(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> batch) {
    long end = batch.get(batch.size() - 1).offset() + 1;
    try {
      OptionalLong lag = consumer.currentLag(tp);
      if (lag.isPresent()) {
        end = Math.max(end, consumer.position(tp) + lag.getAsLong());
      }
    } catch (RuntimeException e) {
      log.debug("no lag known for {}; the batch bounds its end: {}", tp, e.toString());
    }
    return end;
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (offsets.isEmpty()) {
      return;
    }
    uncommitted = offsets;
    try {
      consumer.commitSync(offsets);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved on; their new owner applies these records again, harmlessly.
      log.warn("offsets {} not committed ({}); the records will be applied again", offsets, e.getMessage());
    }
    uncommitted = Map.of();
  }

  /** A commit interrupted by {@code wakeup()} during shutdown is finished here. */
  private void commitLeftovers() {
    if (uncommitted.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(uncommitted, settings.closeTimeout());
    } catch (RuntimeException e) {
      log.warn("offsets {} not committed at shutdown; the records will be applied again", uncommitted, e);
    }
    uncommitted = Map.of();
  }

  /** Stops the loop with {@code consumer.wakeup()}, then closes the companions, the producer and the owned clients. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopping.countDown();
    RuntimeException failure = null;
    Thread loop;
    synchronized (this) {
      loop = thread;
    }
    if (loop != null) {
      consumer.wakeup();
      try {
        loop.join(settings.closeTimeout().multipliedBy(2).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (loop.isAlive()) {
        log.warn("the executor loop did not stop within {}", settings.closeTimeout().multipliedBy(2));
      }
    } else {
      try {
        closeConsumer();
      } catch (RuntimeException e) {
        failure = e;
      }
      termination.complete(null);
    }
    // The loop has stopped (or is stuck past its bound), so no round is waiting on a write.
    assignments.close();
    List<AutoCloseable> closeables = new ArrayList<>();
    for (int i = companions.size() - 1; i >= 0; i--) {
      closeables.add(companions.get(i).close());
    }
    closeables.add(() -> producer.close(settings.closeTimeout()));
    closeables.addAll(owned);
    failure = Closing.closeAll(closeables, "closing the executor failed", failure);
    if (failure != null) {
      throw failure;
    }
    log.info("executor closed");
  }

  /**
   * Closes the consumer leaving its group, also as a static member (which by default stays until
   * its session expires, waiting for a restart under the same identity): a stop is deliberate, so
   * another executor should take the partitions now. A crash sends nothing, and a restart under the
   * same identity takes the partitions back at once.
   */
  private void closeConsumer() {
    consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(settings.closeTimeout()));
  }
}
