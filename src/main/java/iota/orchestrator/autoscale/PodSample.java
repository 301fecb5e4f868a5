package iota.orchestrator.autoscale;

import java.util.Objects;

/**
 * One instance's pod in one metrics round, as the metrics poller saw it. What it could not see is
 * said with {@link #state()}, never filled in with a guess: the autoscaler decides what a missing
 * value means (HPA's rules), not the poller.
 *
 * @param instanceId the instance the pod serves
 * @param state whether usage and requests are known
 * @param cpuMillis CPU usage in millicores over the sample window ({@link State#MEASURED} only)
 * @param memoryBytes memory working set in bytes ({@link State#MEASURED} only)
 * @param cpuRequestMillis the pod's CPU request; 0 when it has none
 * @param memoryRequestBytes the pod's memory request; 0 when it has none
 * @param ready whether the pod is Ready
 * @param startedAt when the pod started, epoch milliseconds
 * @param timestamp the end of the sample window, epoch milliseconds (metrics.k8s.io {@code timestamp})
 * @param windowMillis the length of the sample window (metrics.k8s.io {@code window})
 */
public record PodSample(
    int instanceId,
    State state,
    double cpuMillis,
    double memoryBytes,
    double cpuRequestMillis,
    double memoryRequestBytes,
    boolean ready,
    long startedAt,
    long timestamp,
    long windowMillis) {

  /** What the poller knows of the pod. */
  public enum State {
    /** Usage and requests are known. */
    MEASURED,
    /** The pod exists but the metrics API had no sample of it. */
    MISSING_METRICS,
    /** The instance has no pod (not created yet, or gone). */
    MISSING_POD,
    /** The pod declares no CPU and memory requests, so no utilization can be computed. */
    NO_REQUESTS
  }

  public PodSample {
    Objects.requireNonNull(state, "state");
    if (cpuMillis < 0 || memoryBytes < 0 || cpuRequestMillis < 0 || memoryRequestBytes < 0 || windowMillis < 0) {
      throw new IllegalArgumentException("usage, requests and window must not be negative: " + instanceId);
    }
  }

  /** A measured pod. */
  public static PodSample measured(int instanceId, double cpuMillis, double memoryBytes, double cpuRequestMillis,
      double memoryRequestBytes, boolean ready, long startedAt, long timestamp, long windowMillis) {
    return new PodSample(instanceId, State.MEASURED, cpuMillis, memoryBytes, cpuRequestMillis, memoryRequestBytes,
        ready, startedAt, timestamp, windowMillis);
  }

  /** An instance whose pod has no sample ({@link State#MISSING_METRICS}) or no pod ({@link State#MISSING_POD}). */
  public static PodSample missing(int instanceId, State state, double cpuRequestMillis, double memoryRequestBytes,
      long timestamp) {
    if (state != State.MISSING_METRICS && state != State.MISSING_POD) {
      throw new IllegalArgumentException("not a missing state: " + state);
    }
    return new PodSample(instanceId, state, 0, 0, cpuRequestMillis, memoryRequestBytes, false, 0, timestamp, 0);
  }
}
