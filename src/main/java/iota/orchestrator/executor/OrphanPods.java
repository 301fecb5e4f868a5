package iota.orchestrator.executor;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import iota.orchestrator.orphans.Observed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes side of the orphan sweep: lists the pods labelled {@code
 * app.kubernetes.io/managed-by=iota-orchestrator} in the namespace, and removes one orphan pod.
 *
 * <p>A removal is fenced twice. The pod is read again right before, and must still be the very pod
 * the sweep judged (same UID, not being deleted already); then it is deleted with that read's
 * {@code resourceVersion} as a precondition, so a pod changed or replaced in between is refused by
 * the API server (409) instead of deleted. The delete is graceful (the pod's own termination grace
 * period): an orphan is in no hurry, unlike a recreate.
 */
final class OrphanPods {
  private static final Logger log = LoggerFactory.getLogger(OrphanPods.class);

  /** What a removal did. */
  enum Removal {
    REMOVED,
    /** Gone, replaced or changed since the sweep: left for the next sweep to judge again. */
    CHANGED
  }

  private final KubernetesClient client;
  private final String namespace;

  OrphanPods(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Every managed pod not already being deleted. */
  List<Observed> list() {
    List<Observed> out = new ArrayList<>();
    for (Pod pod : client.pods().inNamespace(namespace).withLabel(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY).list().getItems()) {
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        out.add(observed(pod));
      }
    }
    return out;
  }

  /** The pod as it is now, or null when it is gone or being deleted. */
  Pod current(String name) {
    Pod pod = client.pods().inNamespace(namespace).withName(name).get();
    return pod == null || pod.getMetadata().getDeletionTimestamp() != null ? null : pod;
  }

  static Observed observed(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    return new Observed(Observed.Kind.pod, pod.getMetadata().getName(), labels.get(PodTemplates.LABEL_RESOURCE),
        labels.get(PodTemplates.LABEL_INSTANCE_ID), pod.getMetadata().getUid());
  }

  /** Deletes {@code pod} (as just read by {@link #current}) if it is still the judged one. */
  Removal remove(Observed judged, Pod pod) {
    if (pod == null || !Objects.equals(judged.identity(), pod.getMetadata().getUid())) {
      return Removal.CHANGED;
    }
    try {
      client.pods().inNamespace(namespace).resource(pod).lockResourceVersion(pod.getMetadata().getResourceVersion()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        log.info("orphan pod {} changed before its removal ({}); judging it again at the next sweep", judged.name(), e.getCode());
        return Removal.CHANGED;
      }
      throw e;
    }
    return Removal.REMOVED;
  }
}
