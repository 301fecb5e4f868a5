package iota.orchestrator.autoscale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import iota.orchestrator.model.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a type's scaling looks like to a person: the answer of {@code GET
 * /v1/api/orchestrations/:resource/scaling} (issue 12 §5), kept per type in a state store by the
 * topology after every metrics round and every scaling or drain step, and read by the REST API, the
 * metrics and the dashboard. Immutable; {@link #toJson} and {@link #fromJson} give it one stable
 * JSON shape.
 *
 * @param resource the resource type
 * @param enabled whether the type is autoscaled ({@code iota.resource.<type>.autoscale})
 * @param current the pool size now
 * @param desired the pool size the last decision asked for, after stabilization, step and bounds
 * @param limitedBy the word of the limit that cut the last decision ({@link Limit#word()}); null when none
 * @param utilization the last round's usage over requests per metric; a null member when unknown
 * @param target the target utilization per metric
 * @param instances the last round's view of every instance, by instance id
 * @param events the last {@value #MAX_EVENTS} scaling and re-orchestration events, oldest first
 * @param history the pool size and utilization of every round in the last {@value #HISTORY_MILLIS} ms
 *     of record time, oldest first, for the dashboard's plot
 * @param maxOverMean the highest instance's estimated load over the mean, after the last step (1 when
 *     nothing is measured)
 * @param eventsTotal how many events of each {@link Kind} there were since the type began, for counters
 * @param movesTotal how many resources moved because of events of each {@link Kind}, for counters
 */
@JsonPropertyOrder({"resource", "enabled", "current", "desired", "limitedBy", "utilization", "target", "instances",
    "events", "history", "maxOverMean", "eventsTotal", "movesTotal"})
public record ScalingReport(
    @JsonProperty("resource") String resource,
    @JsonProperty("enabled") boolean enabled,
    @JsonProperty("current") int current,
    @JsonProperty("desired") int desired,
    @JsonProperty("limitedBy") @JsonInclude(JsonInclude.Include.ALWAYS) String limitedBy,
    @JsonProperty("utilization") Utilization utilization,
    @JsonProperty("target") Utilization target,
    @JsonProperty("instances") SortedMap<String, InstanceLoad> instances,
    @JsonProperty("events") List<Event> events,
    @JsonProperty("history") List<Point> history,
    @JsonProperty("maxOverMean") double maxOverMean,
    @JsonProperty("eventsTotal") SortedMap<Kind, Long> eventsTotal,
    @JsonProperty("movesTotal") SortedMap<Kind, Long> movesTotal) {

  /** Events kept: the answer lists the last fifty. */
  public static final int MAX_EVENTS = 50;

  /** History kept for the plot: one hour of record time. */
  public static final long HISTORY_MILLIS = 3_600_000L;

  /** What an event was, for the counters' label. */
  public enum Kind {
    @JsonProperty("scale-up") SCALE_UP,
    @JsonProperty("scale-down") SCALE_DOWN,
    @JsonProperty("rebalance") REBALANCE,
    @JsonProperty("drain") DRAIN,
    @JsonProperty("undrain") UNDRAIN;

    /** The label value, as in the JSON. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Utilization per metric as a fraction of requests (0.7 is 70 %); a null member when unknown. */
  @JsonPropertyOrder({"cpu", "memory"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Utilization(@JsonProperty("cpu") Double cpu, @JsonProperty("memory") Double memory) {
    @JsonCreator
    public Utilization {}
  }

  /**
   * One instance as the last round measured it.
   *
   * @param cpuMillis CPU usage in millicores; null when not measured
   * @param memoryBytes memory usage in bytes; null when not measured
   * @param cpuUtilization usage over the pod's CPU request; null when unknown
   * @param memoryUtilization usage over the pod's memory request; null when unknown
   * @param resources how many resources the instance serves
   * @param estimatedLoad the sum of its resources' estimated loads (CPU millicores above the idle base)
   * @param draining whether the instance is drained (gives its resources away and takes no new ones)
   */
  @JsonPropertyOrder({"cpuMillis", "memoryBytes", "cpuUtilization", "memoryUtilization", "resources",
      "estimatedLoad", "draining"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record InstanceLoad(
      @JsonProperty("cpuMillis") Double cpuMillis,
      @JsonProperty("memoryBytes") Double memoryBytes,
      @JsonProperty("cpuUtilization") Double cpuUtilization,
      @JsonProperty("memoryUtilization") Double memoryUtilization,
      @JsonProperty("resources") int resources,
      @JsonProperty("estimatedLoad") double estimatedLoad,
      @JsonProperty("draining") boolean draining) {
    @JsonCreator
    public InstanceLoad {}
  }

  /**
   * One scaling or re-orchestration event.
   *
   * @param at record time of the round (epoch ms)
   * @param kind what kind of event
   * @param from pool size before
   * @param to pool size after (equal to {@code from} for a load re-orchestration or a drain)
   * @param reason the decision in words, e.g. {@code cpu 93% of requests > target 70%: 10 -> 14 instances}
   * @param moved how many resources moved because of it
   */
  @JsonPropertyOrder({"at", "kind", "from", "to", "reason", "moved"})
  public record Event(
      @JsonProperty("at") long at,
      @JsonProperty("kind") Kind kind,
      @JsonProperty("from") int from,
      @JsonProperty("to") int to,
      @JsonProperty("reason") String reason,
      @JsonProperty("moved") int moved) {
    @JsonCreator
    public Event {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** One round in the plot: record time, pool size, utilization per metric (null when unknown). */
  @JsonPropertyOrder({"at", "instances", "cpu", "memory"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Point(
      @JsonProperty("at") long at,
      @JsonProperty("instances") int instances,
      @JsonProperty("cpu") Double cpu,
      @JsonProperty("memory") Double memory) {
    @JsonCreator
    public Point {}
  }

  @JsonCreator
  public ScalingReport {
    Objects.requireNonNull(resource, "resource");
    utilization = Objects.requireNonNullElse(utilization, new Utilization(null, null));
    target = Objects.requireNonNullElse(target, new Utilization(null, null));
    instances = new TreeMap<>(Objects.requireNonNullElse(instances, Map.of()));
    events = List.copyOf(Objects.requireNonNullElse(events, List.of()));
    history = List.copyOf(Objects.requireNonNullElse(history, List.of()));
    eventsTotal = new TreeMap<>(Objects.requireNonNullElse(eventsTotal, Map.of()));
    movesTotal = new TreeMap<>(Objects.requireNonNullElse(movesTotal, Map.of()));
  }

  /** A type before its first metrics round: nothing measured, no events. */
  public static ScalingReport initial(String resource, boolean enabled, int current, Utilization target) {
    return new ScalingReport(resource, enabled, current, current, null, null, target, null, null, null, 1, null, null);
  }

  /** This report with {@code event} appended (only the last {@value #MAX_EVENTS} kept) and counted. */
  public ScalingReport withEvent(Event event) {
    List<Event> kept = new ArrayList<>(events.size() + 1);
    kept.addAll(events.size() >= MAX_EVENTS ? events.subList(events.size() - MAX_EVENTS + 1, events.size()) : events);
    kept.add(event);
    SortedMap<Kind, Long> eventCounts = new TreeMap<>(eventsTotal);
    eventCounts.merge(event.kind(), 1L, Long::sum);
    SortedMap<Kind, Long> moveCounts = new TreeMap<>(movesTotal);
    moveCounts.merge(event.kind(), (long) event.moved(), Long::sum);
    return new ScalingReport(resource, enabled, current, desired, limitedBy, utilization, target, instances, kept,
        history, maxOverMean, eventCounts, moveCounts);
  }

  /** This report with {@code point} appended and points older than {@value #HISTORY_MILLIS} ms before it dropped. */
  public ScalingReport withPoint(Point point) {
    List<Point> kept = new ArrayList<>(history.size() + 1);
    for (Point p : history) {
      if (p.at() > point.at() - HISTORY_MILLIS && p.at() <= point.at()) {
        kept.add(p);
      }
    }
    kept.add(point);
    return new ScalingReport(resource, enabled, current, desired, limitedBy, utilization, target, instances, events,
        kept, maxOverMean, eventsTotal, movesTotal);
  }

  /** The report as stored and as answered. */
  public byte[] toJson() {
    return Json.bytes(this);
  }

  public static ScalingReport fromJson(byte[] json) {
    return Json.read(json, ScalingReport.class);
  }
}
