package iota.orchestrator.embedded;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts hanging transactions (KIP-664) on the embedded broker before any of our
 * producers start.
 *
 * <p>Seen after {@code kill -9} of {@code embedded}, which kills the broker together with the stream
 * app's transactional producer: the coordinator had completed the dead producer's transaction
 * ({@code Empty}, epoch moved on), but the changelog and output partitions still held it open, so
 * their last stable offset stayed behind their end for good and the read_committed restore of the
 * task never finished (READY never came); and its offset commit, still pending in {@code
 * __consumer_offsets}, kept the stream app from fetching its committed offsets. Nothing in Kafka aborts such a transaction by itself; {@code
 * kafka-transactions.sh find-hanging / abort} is the operator's tool, and this is that tool run at
 * start, in {@code embedded} only (a production cluster has replicas and an operator). Aborting is
 * the only end such a transaction can have: the coordinator has nothing left to commit, and the
 * stream app's offsets of that transaction are aborted with its changelog and output records, so
 * the inputs are processed again and nothing is lost. Only transactions the coordinator no longer
 * considers in progress are aborted; at this
 * point no client of ours is producing, so an ongoing one can only be a dead producer's, which the
 * coordinator aborts on its own once the transaction times out.
 */
final class HangingTransactions {
  private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
  private static final Set<TransactionState> IN_PROGRESS =
      EnumSet.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);

  /** An open transaction on one partition, as the partition's leader sees it. */
  record Open(TopicPartition partition, long producerId, int producerEpoch, int coordinatorEpoch) {}

  private HangingTransactions() {}

  /**
   * The open transactions whose producer the coordinator no longer has in progress: {@code
   * inProgress} holds the producer ids of the transactions it has in progress.
   */
  static List<Open> hanging(Collection<Open> open, Set<Long> inProgress) {
    return open.stream().filter(o -> !inProgress.contains(o.producerId())).toList();
  }

  /** Aborts every hanging transaction on the broker; returns how many. */
  static int abortAll(Admin admin) throws ExecutionException, InterruptedException {
    List<TopicPartition> partitions = new ArrayList<>();
    // __consumer_offsets too: a transaction's offset commit left pending there blocks every
    // read_committed consumer of the group from fetching its committed offsets.
    admin.describeTopics(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get()).allTopicNames().get().forEach((topic, d) -> {
      for (TopicPartitionInfo p : d.partitions()) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
    });
    List<Open> open = new ArrayList<>();
    admin.describeProducers(partitions).all().get().forEach((tp, state) -> {
      for (ProducerState p : state.activeProducers()) {
        if (p.currentTransactionStartOffset().isPresent()) {
          open.add(new Open(tp, p.producerId(), p.producerEpoch(), p.coordinatorEpoch().orElse(-1)));
        }
      }
    });
    if (open.isEmpty()) {
      return 0;
    }
    List<String> ids = admin.listTransactions().all().get().stream().map(TransactionListing::transactionalId).toList();
    Map<String, TransactionDescription> described = ids.isEmpty() ? Map.of() : admin.describeTransactions(ids).all().get();
    Set<Long> inProgress = described.values().stream()
        .filter(t -> IN_PROGRESS.contains(t.state()))
        .map(TransactionDescription::producerId)
        .collect(Collectors.toSet());
    List<Open> hanging = hanging(open, inProgress);
    for (Open h : hanging) {
      LOG.warn("aborting a hanging transaction on {} (producer {} epoch {}): its coordinator completed it, the partition"
          + " still held it open, which would stop every read_committed reader of {} at that offset", h.partition(),
          h.producerId(), h.producerEpoch(), h.partition());
      admin.abortTransaction(new AbortTransactionSpec(h.partition(), h.producerId(), (short) h.producerEpoch(), h.coordinatorEpoch()))
          .all().get();
    }
    return hanging.size();
  }
}
