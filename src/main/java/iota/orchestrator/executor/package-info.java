/**
 * The executor: applies the topology's commands to the outside world, idempotently. Assignments
 * go to ZooKeeper (one transaction per instance, never an older sequence over a newer one), pod
 * commands to Kubernetes (pods from the templates); it watches pods and reports their phases back,
 * sweeps orphans, and dead-letters a command it cannot apply. The offset is committed only after
 * the effect.
 *
 * <p>Every line about a command carries its id (MDC {@code commandId}). It reads the topics the
 * topology writes; it must not depend on the API, the connector, the embedded platform, the command
 * line or the benchmarks, and serves no HTTP.
 */
package iota.orchestrator.executor;
