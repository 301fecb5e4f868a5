package iota.orchestrator.autoscale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import iota.orchestrator.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the autoscaler keeps between rounds of a type: the recommendations of the scale-down
 * stabilization window, oldest first. Immutable; {@link #toJson} and {@link #fromJson} give it the
 * stable shape {@code {"recommendations":[{"at":<epoch ms>,"instances":<n>},…]}} for a state store.
 */
@JsonPropertyOrder({"recommendations"})
public record ScalingState(@JsonProperty("recommendations") List<Recommendation> recommendations) {

  /** The pool size one round recommended, before bounds and step limits, and when. */
  @JsonPropertyOrder({"at", "instances"})
  public record Recommendation(@JsonProperty("at") long at, @JsonProperty("instances") int instances) {
    @JsonCreator
    public Recommendation {}
  }

  private static final ScalingState EMPTY = new ScalingState(List.of());

  @JsonCreator
  public ScalingState {
    recommendations = List.copyOf(Objects.requireNonNullElse(recommendations, List.of()));
  }

  /** No recommendations yet: a type's first round. */
  public static ScalingState empty() {
    return EMPTY;
  }

  /** This window with {@code latest} appended and everything older than {@code windowMillis} before it dropped. */
  ScalingState with(Recommendation latest, long windowMillis) {
    List<Recommendation> kept = new ArrayList<>(recommendations.size() + 1);
    for (Recommendation r : recommendations) {
      if (r.at() > latest.at() - windowMillis && r.at() <= latest.at()) {
        kept.add(r);
      }
    }
    kept.add(latest);
    return new ScalingState(kept);
  }

  /** The highest recommendation within {@code windowMillis} before {@code now}, at least {@code floor}. */
  int highestSince(long now, long windowMillis, int floor) {
    int highest = floor;
    for (Recommendation r : recommendations) {
      if (r.at() > now - windowMillis && r.at() <= now) {
        highest = Math.max(highest, r.instances());
      }
    }
    return highest;
  }

  public String toJson() {
    return Json.string(this);
  }

  public static ScalingState fromJson(String json) {
    return Json.read(json.getBytes(StandardCharsets.UTF_8), ScalingState.class);
  }
}
