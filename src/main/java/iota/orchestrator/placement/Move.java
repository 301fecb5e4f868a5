package iota.orchestrator.placement;

import java.util.Objects;

/**
 * One resource leaving one instance for another. Written make-before-break: the receiving
 * instance's state (with the resource) goes to ZooKeeper before the giving instance's (without it),
 * so at no moment is the resource missing from every instance.
 *
 * @param resource the resource id
 * @param from the instance that gives it
 * @param to the instance that takes it
 */
public record Move(String resource, int from, int to) {
  public Move {
    Objects.requireNonNull(resource, "resource");
    if (from == to) {
      throw new IllegalArgumentException("a move of " + resource + " must change its instance, got " + from + " -> " + to);
    }
  }
}
