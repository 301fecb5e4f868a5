package iota.orchestrator.executor;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.PodResource;
import iota.orchestrator.model.PodCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies pod commands to the Kubernetes API, idempotently, in one namespace.
 *
 * <ul>
 *   <li>{@code create}: create the pod from its template; 409 (already there) counts as done,
 *       unless the pod there is terminating: then it waits until that one is gone and creates.
 *   <li>{@code delete}: delete with {@code gracePeriodSeconds: 0}; a missing pod counts as done.
 *   <li>{@code recreate}: the shape of strimzi's {@code PodOperator#restart}: delete, wait (bounded)
 *       until the old pod is gone or its UID changed, create. The created pod carries the command id
 *       in an annotation, so when the executor applies the same command again after a crash (it
 *       commits only after applying) it finds its own pod and does not kill a healthy worker twice.
 *       A recreate decided before the current pod was created is skipped: it judged an older pod.
 * </ul>
 *
 * <h2>"Decided before the pod was created", without comparing clocks</h2>
 *
 * After an outage the recreates of one instance queue up, one per heartbeat timeout, and applying
 * them back to back would delete, each in turn, the pod the previous one had just created. The
 * question "was this command decided before that pod existed?" could be put to the clocks (the
 * record timestamp, set by the stream app's host, against the pod's {@code creationTimestamp}, set by
 * the API server, to the second), but those clocks differ by whatever NTP leaves, and the answer
 * flips when the skew is as large as the gap. The command log answers it exactly: a pod created
 * while the executor knew the partition's committed end to be at least {@code E} was created after
 * every command below {@code E} was decided. So every pod carries {@value
 * PodTemplates#ANNOTATION_CREATED_AFTER}{@code : <partition>@E}, and a recreate at an offset below
 * its pod's {@code E} is skipped. {@code E} is only ever underestimated (it comes from the last
 * fetch), which errs towards applying a recreate, never towards skipping a newer one.
 *
 * The client comes from the standard sources ({@code new KubernetesClientBuilder().build()}:
 * kubeconfig or the in-cluster service account), so no credentials live here and TLS verification
 * stays as configured. fabric8 already retries connection failures and 5xx answers per request with
 * a backoff; what is still failing after that is classified: API unreachable or overloaded is a
 * {@link DependencyUnavailableException}, any other refusal a {@link CommandFailedException}.
 */
public final class KubernetesApplier {
  private static final Logger log = LoggerFactory.getLogger(KubernetesApplier.class);

  /** What an apply did. */
  public enum Outcome {
    CREATED,
    ALREADY_EXISTS,
    DELETED,
    ALREADY_GONE,
    RECREATED,
    /** The pod running now was created by this very command. */
    ALREADY_RECREATED,
    /** The pod running now was created after this recreate was decided: it judged an older pod. */
    SKIPPED_STALE
  }

  /**
   * Where a command was read: {@code partition} ({@code <topic>-<n>}), its {@code offset}, and a
   * lower bound {@code logEnd} of the partition's committed end when it is applied. Every command
   * below {@code logEnd} was decided, and committed, before anything this command creates.
   */
  public record Position(String partition, long offset, long logEnd) {
    String annotation() {
      return partition + "@" + logEnd;
    }

    /**
     * True when the pod annotated with {@code createdAfter} ({@link #annotation()} of the command
     * that made it) was created after this command was decided. Not when the annotation is from
     * another partition, unreadable, or ahead of this partition's end: then the topic was
     * recreated since (its offsets started again) and they say nothing about that pod.
     */
    boolean decidedBefore(String createdAfter) {
      if (createdAfter == null) {
        return false;
      }
      int at = createdAfter.lastIndexOf('@');
      if (at < 0 || !createdAfter.substring(0, at).equals(partition)) {
        return false;
      }
      long podEnd;
      try {
        podEnd = Long.parseLong(createdAfter.substring(at + 1));
      } catch (NumberFormatException e) {
        return false;
      }
      return offset < podEnd && podEnd <= logEnd;
    }
  }

  private final KubernetesClient client;
  private final String namespace;
  private final PodTemplates templates;
  private final Duration goneTimeout;

  /**
   * @param goneTimeout how long a re-create waits for the old pod to disappear before the attempt
   *     fails (and is retried later)
   */
  public KubernetesApplier(KubernetesClient client, String namespace, PodTemplates templates, Duration goneTimeout) {
    this.client = client;
    this.namespace = namespace;
    this.templates = templates;
    this.goneTimeout = goneTimeout;
  }

  public String namespace() {
    return namespace;
  }

  /** Applies a command whose place in the log is unknown (never judged stale). */
  public Outcome apply(PodCommand command) {
    return apply(command, null);
  }

  /**
   * Applies {@code command}, read at {@code position} of the pod-commands log (null when unknown;
   * then a recreate is never skipped as stale).
   */
  public Outcome apply(PodCommand command, Position position) {
    try {
      return switch (command.action()) {
        case create -> create(command, position);
        case delete -> delete(command);
        case recreate -> recreate(command, position);
      };
    } catch (KubernetesClientException e) {
      throw translate(e, command);
    }
  }

  private Outcome create(PodCommand command, Position position) {
    if (!createWaitingOutTerminating(render(command, position), command)) {
      log.info("pod {} already exists", command.podName());
      return Outcome.ALREADY_EXISTS;
    }
    log.info("created pod {}: {}", command.podName(), command.reason());
    return Outcome.CREATED;
  }

  private Outcome delete(PodCommand command) {
    boolean deleted = !pod(command).withGracePeriod(0).delete().isEmpty();
    log.info("{} pod {}: {}", deleted ? "deleted" : "no", command.podName(), command.reason());
    return deleted ? Outcome.DELETED : Outcome.ALREADY_GONE;
  }

  private Outcome recreate(PodCommand command, Position position) {
    // Render first: a broken template must fail before the running pod is deleted.
    Pod fresh = render(command, position);
    Pod current = pod(command).get();
    if (current != null) {
      Map<String, String> annotations = current.getMetadata().getAnnotations();
      if (annotations != null && command.commandId().equals(annotations.get(PodTemplates.ANNOTATION_COMMAND_ID))) {
        log.info("pod {} was already re-created by this command", command.podName());
        return Outcome.ALREADY_RECREATED;
      }
      if (position != null && position.decidedBefore(annotations == null ? null : annotations.get(PodTemplates.ANNOTATION_CREATED_AFTER))) {
        log.info("pod {} was created after this recreate was decided ({} at offset {}); left alone",
            command.podName(), position.partition(), position.offset());
        return Outcome.SKIPPED_STALE;
      }
      String oldUid = current.getMetadata().getUid();
      pod(command).withGracePeriod(0).delete();
      log.info("pod {} (uid {}) deleted, terminating; waiting until it is gone to create it", command.podName(), oldUid);
      awaitGone(command, oldUid, System.nanoTime() + goneTimeout.toNanos());
    }
    if (!createWaitingOutTerminating(fresh, command)) {
      // Someone created it between our wait and our create; it is a new pod, which is the goal.
      log.info("pod {} was re-created concurrently", command.podName());
      return Outcome.RECREATED;
    }
    log.info("re-created pod {}: {}", command.podName(), command.reason());
    return Outcome.RECREATED;
  }

  private Pod render(PodCommand command, Position position) {
    Pod pod = templates.render(command, namespace);
    if (position != null) {
      pod.getMetadata().getAnnotations().put(PodTemplates.ANNOTATION_CREATED_AFTER, position.annotation());
    }
    return pod;
  }

  /**
   * Creates {@code fresh}; false when a pod of that name exists and is not being deleted. One that
   * is terminating (a 409 from a pod whose deletion is still in progress, e.g. on a node that is
   * slow to confirm) is not the pod the command wants: wait until it is gone or replaced (its UID
   * changed, as strimzi's {@code PodOperator#restart} waits), then create, all within {@code
   * goneTimeout}; past that the attempt fails and the executor retries it later.
   */
  private boolean createWaitingOutTerminating(Pod fresh, PodCommand command) {
    long deadline = System.nanoTime() + goneTimeout.toNanos();
    while (true) {
      try {
        client.pods().inNamespace(namespace).resource(fresh).create();
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
      Pod existing = pod(command).get();
      if (existing != null && existing.getMetadata().getDeletionTimestamp() == null) {
        return false;
      }
      if (existing != null) {
        log.info("pod {} (uid {}) is terminating; waiting until it is gone to create it", command.podName(), existing.getMetadata().getUid());
        awaitGone(command, existing.getMetadata().getUid(), deadline);
      } else if (System.nanoTime() - deadline > 0) {
        throw new CommandFailedException("pod " + command.podName() + " could not be created within " + goneTimeout, null);
      }
    }
  }

  /** Waits until the pod with {@code uid} is gone or replaced; a command failure at {@code deadline}. */
  private void awaitGone(PodCommand command, String uid, long deadline) {
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    try {
      pod(command).waitUntilCondition(p -> p == null || !Objects.equals(uid, p.getMetadata().getUid()), left, TimeUnit.MILLISECONDS);
    } catch (KubernetesClientTimeoutException e) {
      throw new CommandFailedException("pod " + command.podName() + " (uid " + uid + ") still there, terminating, after " + goneTimeout, e);
    }
  }

  private PodResource pod(PodCommand command) {
    return client.pods().inNamespace(namespace).withName(command.podName());
  }

  private static RuntimeException translate(KubernetesClientException e, PodCommand command) {
    int code = e.getCode();
    // No HTTP status (0 or -1 depending on the path) with an I/O cause: nothing answered.
    boolean unreachable = code <= 0 && hasIoCause(e);
    if (unreachable || code == 429 || code == 502 || code == 503 || code == 504) {
      return new DependencyUnavailableException(
          "Kubernetes API unavailable for " + command.action() + " " + command.podName() + ": " + e.getMessage(), e);
    }
    return new CommandFailedException(
        command.action() + " " + command.podName() + " refused (HTTP " + code + "): " + e.getMessage(), e);
  }

  private static boolean hasIoCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
