package iota.orchestrator.model;

import java.util.List;

/**
 * What a re-orchestration did: the resulting pool size and capacity, how many resources moved or
 * stayed, which instances were created or deleted, and the load spread it reached.
 */
public record OrchestrationReport(
    String resource,
    int instances,
    int resourcePerInstance,
    int moved,
    int kept,
    List<String> created,
    List<String> deleted,
    int maxLoad,
    int minLoad) {

  public OrchestrationReport {
    created = List.copyOf(created);
    deleted = List.copyOf(deleted);
  }
}
