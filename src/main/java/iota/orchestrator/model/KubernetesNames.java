package iota.orchestrator.model;

import java.util.regex.Pattern;

/**
 * The forms Kubernetes requires of the names the executor puts on pods, defined once: the
 * configuration refuses at start what the executor would refuse for every command later.
 */
public final class KubernetesNames {
  /** A DNS label prefix: {@code <instanceName>-<id>} must stay a DNS label (at most 63). */
  private static final Pattern INSTANCE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?");

  /** A label value: the resource type becomes the {@code iota.resource} label of its pods. */
  private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

  private KubernetesNames() {}

  public static boolean isInstanceName(String s) {
    return s != null && INSTANCE_NAME.matcher(s).matches();
  }

  public static boolean isLabelValue(String s) {
    return s != null && LABEL_VALUE.matcher(s).matches();
  }
}
