package iota.orchestrator.api;

import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.orphans.OrphanReport;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reads of the orchestration plan, answered wherever the plan lives. An implementation answers
 * from local state or obtains the answer from the app instance that holds it; either way the
 * caller gets a complete {@link Reply} (a 503 with {@code Retry-After} while state is moving,
 * never an exception).
 */
public interface PlanQueries {

  /** The whole plan of a type; every instance's resource ids only when {@code withIds}. */
  CompletableFuture<Reply> plan(ReadRequest request, boolean withIds);

  /** One instance of a type; its resource ids only when {@code withIds}. */
  CompletableFuture<Reply> instance(ReadRequest request, String instanceId, boolean withIds);

  /**
   * One page of an instance's resource ids, in id order: at most {@code limit} ids after {@code
   * after} (from the first when null), with the cursor of the next page.
   */
  CompletableFuture<Reply> resources(ReadRequest request, String instanceId, String after, int limit);

  /** Where one resource runs: {@code {"runIn": "<instanceId>"}} or 404. */
  CompletableFuture<Reply> placement(ReadRequest request, String resourceId);

  /** Counts, counters and parameters of a type. */
  CompletableFuture<Reply> summary(ReadRequest request);

  /**
   * Counts of a type from the state this app instance owns, without forwarding; empty when another
   * instance owns the type or the state is not readable. Gauges use it so that summing a metric
   * over all app instances counts each type once.
   */
  Optional<TypeCounts> localCounts(String type);

  /**
   * The type's scaling report, {@code GET .../:resource/scaling}: as the topology stored it, or the
   * initial report before its first metrics round.
   */
  CompletableFuture<Reply> scaling(ReadRequest request);

  /**
   * The type's scaling report from the state this app instance owns, without forwarding, as {@link
   * #localCounts} reads counts; empty when another instance owns the type or the state is not
   * readable.
   */
  Optional<ScalingReport> localScaling(String type);

  /** The executor's last orphan report of a type, {@code GET .../:resource/orphans}. */
  CompletableFuture<Reply> orphans(ReadRequest request);

  /**
   * The executor's last orphan report of a type as this app instance holds it (every instance holds
   * all of them), empty when there is none yet or state is not readable; for the metrics.
   */
  Optional<OrphanReport> orphanReport(String type);
}
