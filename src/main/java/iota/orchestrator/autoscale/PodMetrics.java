package iota.orchestrator.autoscale;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.model.Ids;
import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One metrics round of one resource type on {@code iota.orchestrator.pod-metrics} (key = the type):
 * what the executor's metrics poller measured of each pod of the type through metrics.k8s.io,
 * joined with the pod's CPU and memory requests from its spec.
 *
 * <p>What could not be measured is said, never filled in: a pod without requests is {@link
 * PodSample.State#NO_REQUESTS} (its usage is still given, its missing request is 0), a pod the
 * metrics API left out of its answer is {@link PodSample.State#MISSING_METRICS} (no usage fields),
 * and a round where the metrics API itself answered an error (404: no metrics-server; 503: it is
 * not serving) has {@code metrics = unavailable} with the answer in {@code error}, every pod then
 * being {@code MISSING_METRICS}. An instance of the plan with no pod is simply absent: the poller
 * does not know the plan, the consumer does ({@link iota.orchestrator.autoscale.MetricsRound} takes
 * an absent instance as {@link PodSample.State#MISSING_POD}).
 *
 * <pre>{@code
 * {"resource":"Thing","at":1764650000000,"metrics":"available",
 *  "instances":{"0":{"pod":"iota-dac-0","state":"MEASURED","cpuMillis":61.5,"memoryBytes":1.05E8,
 *                    "cpuRequestMillis":250,"memoryRequestBytes":2.68435456E8,"ready":true,
 *                    "startedAt":1764649000000,"timestamp":1764649995000,"window":15000}}}
 * }</pre>
 *
 * @param resource the resource type
 * @param at when the round was taken, epoch milliseconds (also the record's timestamp)
 * @param metrics whether the metrics API answered
 * @param error the metrics API's failure, for {@link Api#unavailable} only
 * @param instances by instance id, in id order
 */
public record PodMetrics(String resource, long at, Api metrics, String error, Map<String, Instance> instances) {

  /** Whether metrics.k8s.io answered this round. */
  public enum Api {
    available,
    unavailable
  }

  /**
   * One pod as measured.
   *
   * @param pod the pod's name
   * @param cpuMillis CPU usage in millicores, summed over containers; null unless measured
   * @param memoryBytes memory working set in bytes, summed over containers; null unless measured
   * @param cpuRequestMillis the pod's CPU request summed over containers; 0 when it has none
   * @param memoryRequestBytes the pod's memory request; 0 when it has none
   * @param ready whether the pod's Ready condition is True
   * @param startedAt the pod's {@code status.startTime}, epoch milliseconds; 0 when not started
   * @param timestamp the end of the sample window (metrics.k8s.io {@code timestamp}); the round's
   *     time when not measured
   * @param window the sample window in milliseconds (metrics.k8s.io {@code window}); 0 when not measured
   */
  public record Instance(
      String pod,
      PodSample.State state,
      Double cpuMillis,
      Double memoryBytes,
      double cpuRequestMillis,
      double memoryRequestBytes,
      boolean ready,
      long startedAt,
      long timestamp,
      long window) {}

  public PodMetrics {
    Objects.requireNonNull(metrics, "metrics");
    instances = java.util.Collections.unmodifiableMap(new TreeMap<>(instances));
  }

  public String key() {
    return resource;
  }

  /** The round as the autoscaler takes it: one sample per instance that has a pod, in id order. */
  public List<PodSample> samples() {
    List<PodSample> samples = new ArrayList<>(instances.size());
    instances.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparingInt(Integer::parseInt)))
        .forEach(e -> samples.add(sample(Integer.parseInt(e.getKey()), e.getValue())));
    return samples;
  }

  private static PodSample sample(int id, Instance i) {
    return switch (i.state()) {
      case MISSING_METRICS, MISSING_POD -> PodSample.missing(id, i.state(), i.cpuRequestMillis(), i.memoryRequestBytes(), i.timestamp());
      case MEASURED, NO_REQUESTS -> new PodSample(id, i.state(), i.cpuMillis(), i.memoryBytes(), i.cpuRequestMillis(),
          i.memoryRequestBytes(), i.ready(), i.startedAt(), i.timestamp(), i.window());
    };
  }

  // ---- parsing

  /**
   * Reads and checks a record value. Every problem is an {@link InvalidRecordException} naming the
   * field, which the topology sends to the dead-letter queue.
   */
  public static PodMetrics parse(byte[] payload) {
    JsonNode root = Json.tree(payload);
    if (!root.isObject()) {
      throw new InvalidRecordException("pod metrics is not a JSON object");
    }
    String resource = Ids.require("resource", text(root, "resource"));
    long at = nonNegativeLong(root, "at");
    String api = text(root, "metrics");
    Api metrics;
    try {
      metrics = Api.valueOf(api);
    } catch (IllegalArgumentException e) {
      throw new InvalidRecordException("metrics must be available or unavailable, got '" + abbreviate(api) + "'");
    }
    JsonNode errorNode = root.get("error");
    String error = errorNode == null || errorNode.isNull() ? null : errorNode.asText();
    if (metrics == Api.unavailable && (error == null || error.isBlank())) {
      throw new InvalidRecordException("error is required when metrics is unavailable");
    }
    JsonNode list = root.get("instances");
    if (list == null || !list.isObject()) {
      throw new InvalidRecordException("instances is missing or not an object");
    }
    Map<String, Instance> instances = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!InstanceIds.isValid(e.getKey())) {
        throw new InvalidRecordException("instances: '" + abbreviate(e.getKey()) + "' is not an instance id");
      }
      Instance instance = instance("instances." + e.getKey(), e.getValue());
      if (metrics == Api.unavailable && instance.state() != PodSample.State.MISSING_METRICS) {
        throw new InvalidRecordException("instances." + e.getKey() + ".state must be MISSING_METRICS when metrics is unavailable");
      }
      instances.put(e.getKey(), instance);
    }
    return new PodMetrics(resource, at, metrics, error, instances);
  }

  private static Instance instance(String where, JsonNode node) {
    if (!node.isObject()) {
      throw new InvalidRecordException(where + " is not an object");
    }
    String pod = text(node, "pod", where);
    String stateText = text(node, "state", where);
    PodSample.State state;
    try {
      state = PodSample.State.valueOf(stateText);
    } catch (IllegalArgumentException e) {
      throw new InvalidRecordException(where + ".state: unknown state '" + abbreviate(stateText) + "'");
    }
    if (state == PodSample.State.MISSING_POD) {
      throw new InvalidRecordException(where + ".state: MISSING_POD is not reported, an instance without a pod is left out");
    }
    boolean measured = state == PodSample.State.MEASURED || state == PodSample.State.NO_REQUESTS;
    Double cpu = optionalAmount(node, "cpuMillis", where);
    Double memory = optionalAmount(node, "memoryBytes", where);
    if (measured && (cpu == null || memory == null)) {
      throw new InvalidRecordException(where + ": cpuMillis and memoryBytes are required when state is " + state);
    }
    if (!measured && (cpu != null || memory != null)) {
      throw new InvalidRecordException(where + ": a " + state + " pod has no cpuMillis or memoryBytes");
    }
    double cpuRequest = amount(node, "cpuRequestMillis", where);
    double memoryRequest = amount(node, "memoryRequestBytes", where);
    if (state == PodSample.State.MEASURED && (cpuRequest == 0 || memoryRequest == 0)) {
      throw new InvalidRecordException(where + ": a MEASURED pod has CPU and memory requests; without one it is NO_REQUESTS");
    }
    if (state == PodSample.State.NO_REQUESTS && cpuRequest > 0 && memoryRequest > 0) {
      throw new InvalidRecordException(where + ": a NO_REQUESTS pod lacks a CPU or a memory request");
    }
    JsonNode ready = node.get("ready");
    if (ready == null || !ready.isBoolean()) {
      throw new InvalidRecordException(where + ".ready is missing or not a boolean");
    }
    return new Instance(pod, state, cpu, memory, cpuRequest, memoryRequest, ready.asBoolean(),
        nonNegativeLong(node, "startedAt", where), nonNegativeLong(node, "timestamp", where), nonNegativeLong(node, "window", where));
  }

  private static String text(JsonNode node, String field) {
    return text(node, field, null);
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new InvalidRecordException(name(where, field) + " is missing or not a string");
    }
    return v.asText();
  }

  private static long nonNegativeLong(JsonNode node, String field) {
    return nonNegativeLong(node, field, null);
  }

  private static long nonNegativeLong(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw new InvalidRecordException(name(where, field) + " is missing or not a non-negative integer");
    }
    return v.asLong();
  }

  private static double amount(JsonNode node, String field, String where) {
    Double v = optionalAmount(node, field, where);
    if (v == null) {
      throw new InvalidRecordException(name(where, field) + " is missing");
    }
    return v;
  }

  private static Double optionalAmount(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0) {
      throw new InvalidRecordException(name(where, field) + " must be a non-negative number");
    }
    return v.asDouble();
  }

  private static String name(String where, String field) {
    return where == null ? field : where + "." + field;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
