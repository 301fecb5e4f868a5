/**
 * The Kafka Streams topology ({@link iota.orchestrator.topology.OrchestratorTopology#build}): parse
 * and validate the inputs (bad ones to the dead-letter topic), re-key by resource type, keep the
 * plan in changelogged stores, ask the planner, and emit assignments, pod commands and request
 * results; the stream app around it, its health, replay and the store and topic names.
 *
 * <p>Lines about an orchestrate request carry its id (MDC {@code requestId}). Side effects leave
 * only as records on topics: it must not depend on the executor, the API, the connector, the
 * embedded platform, the command line or the benchmarks, and uses no ZooKeeper, Kubernetes or HTTP
 * server type.
 */
package iota.orchestrator.topology;
