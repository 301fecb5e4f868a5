package iota.orchestrator.placement;

import iota.orchestrator.model.OrchestrationReport;
import java.util.List;

/**
 * What a re-orchestration did.
 *
 * @param instances the pool size after it
 * @param resourcePerInstance the capacity of every instance after it
 * @param moved resources that were placed on one instance and now are on another; newly placed and
 *     dropped (no longer live) resources are not moved
 * @param kept live resources that stayed where they were
 * @param created ids of created instances, ascending numeric order
 * @param deleted ids of deleted instances, ascending numeric order
 * @param maxLoad the largest number of resources on one instance
 * @param minLoad the smallest number of resources on one instance
 */
public record Report(
    int instances,
    int resourcePerInstance,
    int moved,
    int kept,
    List<String> created,
    List<String> deleted,
    int maxLoad,
    int minLoad) {

  public Report {
    created = List.copyOf(created);
    deleted = List.copyOf(deleted);
  }

  /** The report as the shared model record, for the results topic and the REST answer. */
  public OrchestrationReport toOrchestrationReport(String resource) {
    return new OrchestrationReport(
        resource, instances, resourcePerInstance, moved, kept, created, deleted, maxLoad, minLoad);
  }
}
