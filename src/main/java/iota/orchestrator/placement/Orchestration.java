package iota.orchestrator.placement;

/**
 * The outcome of a re-orchestration: the instances to publish, create or delete, and the report
 * for whoever asked.
 */
public record Orchestration(Delta delta, Report report) {}
