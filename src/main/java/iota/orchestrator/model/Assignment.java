package iota.orchestrator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The complete ZooKeeper state of one instance, as the value of the compacted topic {@code
 * iota.orchestrator.assignments} under key {@code <Resource>/<instanceId>}. {@code seq} grows with
 * every change of the instance, so an applier can refuse to write an older state over a newer one.
 * {@code after} lists the assignments that must be in ZooKeeper before this one is written (a load
 * move's receivers, make-before-break); empty for every other change, and then absent from the JSON.
 */
public record Assignment(
    String resource,
    String instanceId,
    long seq,
    Data data,
    Resources resources,
    @JsonProperty("_reload") Reload reload,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Precondition> after) {

  public Assignment {
    after = after == null ? List.of() : List.copyOf(after);
  }

  /** An assignment with no precondition: what every change but a load move's giver writes. */
  public Assignment(String resource, String instanceId, long seq, Data data, Resources resources, Reload reload) {
    this(resource, instanceId, seq, data, resources, reload, List.of());
  }

  /** This assignment, to be written only once {@code preconditions} hold. */
  public Assignment after(List<Precondition> preconditions) {
    return new Assignment(resource, instanceId, seq, data, resources, reload, preconditions);
  }

  /** Data of the instance node: {@code {"used": n, "count": cap}}. */
  public record Data(int used, int count) {}

  /** Data of the {@code resources} child: {@code {"ids": [...]}}. */
  public record Resources(List<String> ids) {
    public Resources {
      ids = List.copyOf(ids);
    }
  }

  /** Data of the {@code _reload} child: {@code {"times": k}}. */
  public record Reload(long times) {}

  public static Assignment of(String resource, String instanceId, long seq, int count, List<String> ids, long reloadTimes) {
    return new Assignment(resource, instanceId, seq, new Data(ids.size(), count), new Resources(ids), new Reload(reloadTimes));
  }

  public String key() {
    return key(resource, instanceId);
  }

  public static String key(String resource, String instanceId) {
    return StoreKey.of(resource, instanceId);
  }
}
