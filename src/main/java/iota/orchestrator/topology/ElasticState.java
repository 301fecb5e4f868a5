package iota.orchestrator.topology;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import iota.orchestrator.autoscale.ScalingState;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Value of the {@link Stores#ELASTIC} store: what the load-driven side of one type keeps between
 * records, so a restore or a replay decides as the live task did.
 *
 * @param scaling the autoscaler's stabilization window
 * @param draining instances drained by request: they give every resource away and take no new ones;
 *     ascending
 * @param awaitingReady instances created by a scale-up whose pods have not yet been measured Ready:
 *     the load re-plan waits for them, since an empty instance that cannot serve yet must not be given
 *     work; ascending
 */
@JsonPropertyOrder({"scaling", "draining", "awaitingReady"})
public record ElasticState(
    @JsonProperty("scaling") ScalingState scaling,
    @JsonProperty("draining") List<Integer> draining,
    @JsonProperty("awaitingReady") List<Integer> awaitingReady) {

  private static final ElasticState EMPTY = new ElasticState(ScalingState.empty(), List.of(), List.of());

  @JsonCreator
  public ElasticState {
    scaling = Objects.requireNonNullElse(scaling, ScalingState.empty());
    draining = List.copyOf(new TreeSet<>(Objects.requireNonNullElse(draining, List.of())));
    awaitingReady = List.copyOf(new TreeSet<>(Objects.requireNonNullElse(awaitingReady, List.of())));
  }

  /** A type that has never been measured nor drained. */
  public static ElasticState empty() {
    return EMPTY;
  }

  public ElasticState withScaling(ScalingState next) {
    return new ElasticState(next, draining, awaitingReady);
  }

  public ElasticState withDraining(Collection<Integer> ids) {
    return new ElasticState(scaling, List.copyOf(ids), awaitingReady);
  }

  public ElasticState withAwaitingReady(Collection<Integer> ids) {
    return new ElasticState(scaling, draining, List.copyOf(ids));
  }
}
