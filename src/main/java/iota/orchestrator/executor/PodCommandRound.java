package iota.orchestrator.executor;

import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.PodCommand;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The pod commands' part of a round: applies one partition's batch of {@code
 * iota.orchestrator.pod-commands} to Kubernetes, strictly in order (a delete must not overtake a
 * create), so the first command not finished with holds back the ones after it.
 *
 * <p>A command with {@code after} (a scale-down's delete, which must wait until ZooKeeper no longer
 * gives the instance resources) is applied only once its preconditions hold ({@link
 * Preconditions}); until then it is not finished with, like a command that failed, but without
 * counting an attempt: {@link Retries} bounds the wait and then dead-letters it. Only such commands
 * read ZooKeeper, so the others still do not wait for it.
 */
final class PodCommandRound {
  private static final Logger log = LoggerFactory.getLogger(PodCommandRound.class);

  private final KubernetesApplier kubernetes;
  private final Preconditions preconditions;
  private final Retries retries;

  PodCommandRound(KubernetesApplier kubernetes, Preconditions preconditions, Retries retries) {
    this.kubernetes = kubernetes;
    this.preconditions = preconditions;
    this.retries = retries;
  }

  /**
   * Applies the batch in order, stopping at the first command that is not done; returns the offset
   * to continue from.
   *
   * @param logEnd a lower bound of the partition's committed end ({@link KubernetesApplier.Position}):
   *     what lets the applier tell that an existing pod was made after a command was decided, so a
   *     stale recreate leaves it alone
   */
  long apply(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> batch, long logEnd, Round round) {
    for (ConsumerRecord<byte[], byte[]> record : batch) {
      if (round.kubernetesDown() || round.over()) {
        return record.offset();
      }
      if (retries.givenUp(record)) {
        continue;
      }
      PodCommand command;
      try {
        command = CommandRecords.podCommand(CommandRecords.key(record.key()), record.value());
      } catch (InvalidRecordException e) {
        if (!retries.unreadable(record, e, round)) {
          return record.offset();
        }
        continue;
      }
      try (MDC.MDCCloseable ignored = MDC.putCloseable(Executor.MDC_COMMAND_ID, command.commandId())) {
        try {
          if (!command.after().isEmpty()) {
            Preconditions.Unmet unmet;
            try {
              unmet = round.zooKeeperDown() ? null : preconditions.firstUnmet(command.after(), new Preconditions.Reads());
              if (unmet != null && command.action() == PodCommand.Action.delete
                  && preconditions.takesNothingAway(command.resource(), command.instanceId(), List.of())) {
                log.info("deletes {} without waiting for {}: ZooKeeper lists no resource on it", command.podName(), unmet);
                unmet = null;
              }
            } catch (DependencyUnavailableException e) {
              log.warn("ZooKeeper unavailable, will check the preconditions of {} again without counting an attempt: {}",
                  command.podName(), e.getMessage());
              round.zooKeeperFoundDown();
              unmet = null;
            }
            if (round.zooKeeperDown()) {
              return record.offset();
            }
            if (unmet != null) {
              if (retries.waiting(record, unmet, round)) {
                continue;
              }
              return record.offset();
            }
          }
          KubernetesApplier.Outcome outcome = kubernetes.apply(command, new KubernetesApplier.Position(tp.toString(), record.offset(), logEnd));
          log.debug("{} {}: {}", command.action(), command.podName(), outcome);
          retries.applied(record);
        } catch (DependencyUnavailableException e) {
          log.warn("Kubernetes API unavailable, will retry {} without counting an attempt: {}", command.podName(), e.getMessage());
          round.kubernetesFoundDown();
          return record.offset();
        } catch (RuntimeException e) {
          if (!retries.failed(record, e, round)) {
            return record.offset();
          }
        }
      }
    }
    return batch.get(batch.size() - 1).offset() + 1;
  }
}
