package iota.orchestrator.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The complete ZooKeeper state of one instance, as the value of the compacted topic {@code
 * iota.orchestrator.assignments} under key {@code <Resource>/<instanceId>}. {@code seq} grows with
 * every change of the instance, so an applier can refuse to write an older state over a newer one.
 */
public record Assignment(
    String resource,
    String instanceId,
    long seq,
    Data data,
    Resources resources,
    @JsonProperty("_reload") Reload reload) {

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
    return resource + "/" + instanceId;
  }
}
