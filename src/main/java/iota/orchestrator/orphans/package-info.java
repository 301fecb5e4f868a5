/**
 * Orphans (Cloud Foundry's {@code check_orphan} / {@code purge_orphan}, seed 004): worker pods and
 * plan znodes that belong to no planned instance.
 *
 * <p>The decision ({@link iota.orchestrator.orphans.OrphanDecision}) is plain Java: the plan, what
 * was observed and when each orphan was first seen go in; the orphans and which of them are due
 * for removal come out. No Kafka, ZooKeeper or Kubernetes types, no clock of its own. The executor
 * gathers the facts and applies the removals ({@code executor.OrphanSweeper}); the stream app
 * stores the {@link iota.orchestrator.orphans.OrphanReport}s it publishes and serves them.
 *
 * <p>It depends on model only; it must not depend on the executor, the topology or any client of
 * Kafka, ZooKeeper or Kubernetes.
 */
package iota.orchestrator.orphans;
