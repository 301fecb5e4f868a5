package iota.orchestrator.executor;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import iota.orchestrator.model.PodCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pod specs of the worker instances: {@code <dir>/<instanceName>/pod-template.yml} read with fabric8's
 * {@code Serialization.unmarshal}, then the per-instance fields set with the model builders, never
 * by string templating. The template is read for every pod, so an edited template applies to the
 * next pod without a restart.
 *
 * <p>Set in code: {@code metadata.name = <instanceName>-<id>}, the namespace, the labels below, an
 * annotation with the command id (it makes a re-create idempotent, see {@link KubernetesApplier}) and
 * {@code INSTANCE_ID=<id>} as the first environment entry of the first container (DESIGN §2 has the
 * worker read {@code env[0]}).
 */
public final class PodTemplates {
  /** The instance id, {@code "3"} (DESIGN §2). */
  public static final String LABEL_INSTANCE_ID = "instanceId";
  /** The instance name, {@code iota-dac}. */
  public static final String LABEL_APP = "app";
  /** The resource type, {@code Thing}; with {@link #LABEL_INSTANCE_ID} it gives the record key. */
  public static final String LABEL_RESOURCE = "iota.resource";
  /** Marks the pods this orchestrator owns; the pod watcher selects on it. */
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "iota-orchestrator";
  /** The id of the command that created the pod. */
  public static final String ANNOTATION_COMMAND_ID = "iota.orchestrator/command-id";
  /**
   * {@code <pod-commands partition>@<offset>}: every command of that partition below the offset was
   * decided before this pod was created (see {@link KubernetesApplier}).
   */
  public static final String ANNOTATION_CREATED_AFTER = "iota.orchestrator/created-after";
  /** Why the pod was created, for whoever reads {@code kubectl describe}. */
  public static final String ANNOTATION_REASON = "iota.orchestrator/reason";
  public static final String ENV_INSTANCE_ID = "INSTANCE_ID";
  public static final String FILE_NAME = "pod-template.yml";

  private final Path dir;

  public PodTemplates(Path dir) {
    this.dir = dir;
  }

  /** The pod for the command's instance, ready to create in {@code namespace}. */
  public Pod render(PodCommand command, String namespace) {
    Pod template = load(command.instanceName());
    if (template.getSpec() == null || template.getSpec().getContainers() == null || template.getSpec().getContainers().isEmpty()) {
      throw new CommandFailedException("pod template of " + command.instanceName() + " has no container");
    }
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName(ENV_INSTANCE_ID).withValue(command.instanceId()).build());
    List<EnvVar> templateEnv = template.getSpec().getContainers().get(0).getEnv();
    if (templateEnv != null) {
      templateEnv.stream().filter(e -> !ENV_INSTANCE_ID.equals(e.getName())).forEach(env::add);
    }
    return new PodBuilder(template)
        .editOrNewMetadata()
        .withName(command.podName())
        .withNamespace(namespace)
        .withGenerateName(null)
        .withResourceVersion(null)
        .withUid(null)
        .addToLabels(LABEL_APP, command.instanceName())
        .addToLabels(LABEL_INSTANCE_ID, command.instanceId())
        .addToLabels(LABEL_RESOURCE, command.resource())
        .addToLabels(LABEL_MANAGED_BY, MANAGED_BY)
        .addToAnnotations(ANNOTATION_COMMAND_ID, command.commandId())
        .addToAnnotations(ANNOTATION_REASON, command.reason() == null ? command.action().name() : command.reason())
        .endMetadata()
        .editSpec()
        .editFirstContainer()
        .withEnv(env)
        .endContainer()
        .endSpec()
        .build();
  }

  /** The template as written; the instance name was validated as a DNS label, so it is a safe path segment. */
  Pod load(String instanceName) {
    Path file = dir.resolve(instanceName).resolve(FILE_NAME);
    Object parsed;
    try (InputStream in = Files.newInputStream(file)) {
      parsed = Serialization.unmarshal(in, Pod.class);
    } catch (NoSuchFileException e) {
      throw new CommandFailedException("no pod template " + file.toAbsolutePath());
    } catch (IOException | RuntimeException e) {
      throw new CommandFailedException("cannot read pod template " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
    if (!(parsed instanceof Pod pod)) {
      throw new CommandFailedException("pod template " + file.toAbsolutePath() + " is not a Pod");
    }
    return pod;
  }
}
