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
 *   <li>{@code create}: create the pod from its template; 409 (already there) counts as done.
 *   <li>{@code delete}: delete with {@code gracePeriodSeconds: 0}; a missing pod counts as done.
 *   <li>{@code recreate}: the shape of strimzi's {@code PodOperator#restart}: delete, wait (bounded)
 *       until the old pod is gone or its UID changed, create. The created pod carries the command id
 *       in an annotation, so when the executor applies the same command again after a crash (it
 *       commits only after applying) it finds its own pod and does not kill a healthy worker twice.
 * </ul>
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
    ALREADY_RECREATED
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

  public Outcome apply(PodCommand command) {
    try {
      return switch (command.action()) {
        case create -> create(command);
        case delete -> delete(command);
        case recreate -> recreate(command);
      };
    } catch (KubernetesClientException e) {
      throw translate(e, command);
    }
  }

  private Outcome create(PodCommand command) {
    Pod pod = templates.render(command, namespace);
    try {
      client.pods().inNamespace(namespace).resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        log.info("pod {} already exists", command.podName());
        return Outcome.ALREADY_EXISTS;
      }
      throw e;
    }
    log.info("created pod {}: {}", command.podName(), command.reason());
    return Outcome.CREATED;
  }

  private Outcome delete(PodCommand command) {
    boolean deleted = !pod(command).withGracePeriod(0).delete().isEmpty();
    log.info("{} pod {}: {}", deleted ? "deleted" : "no", command.podName(), command.reason());
    return deleted ? Outcome.DELETED : Outcome.ALREADY_GONE;
  }

  private Outcome recreate(PodCommand command) {
    // Render first: a broken template must fail before the running pod is deleted.
    Pod fresh = templates.render(command, namespace);
    Pod current = pod(command).get();
    if (current != null) {
      Map<String, String> annotations = current.getMetadata().getAnnotations();
      if (annotations != null && command.commandId().equals(annotations.get(PodTemplates.ANNOTATION_COMMAND_ID))) {
        log.info("pod {} was already re-created by this command", command.podName());
        return Outcome.ALREADY_RECREATED;
      }
      String oldUid = current.getMetadata().getUid();
      pod(command).withGracePeriod(0).delete();
      try {
        pod(command).waitUntilCondition(
            p -> p == null || !Objects.equals(oldUid, p.getMetadata().getUid()), goneTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (KubernetesClientTimeoutException e) {
        throw new CommandFailedException("pod " + command.podName() + " (uid " + oldUid + ") still there after " + goneTimeout, e);
      }
    }
    try {
      client.pods().inNamespace(namespace).resource(fresh).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // Someone created it between our wait and our create; it is a new pod, which is the goal.
      log.info("pod {} was re-created concurrently", command.podName());
      return Outcome.RECREATED;
    }
    log.info("re-created pod {}: {}", command.podName(), command.reason());
    return Outcome.RECREATED;
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
