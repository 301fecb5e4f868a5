/**
 * The HTTP face of a stream app instance: the REST API of DESIGN.md §2 and the reads around it
 * ({@link iota.orchestrator.api.ApiServer}), interactive queries over the topology's stores and
 * their forwarding to the instance that owns a type, orchestrate requests sent through Kafka and
 * matched with their answers, health, metrics and the dashboard.
 *
 * <p>Every HTTP request has an id (header {@code X-Request-Id}) that its log lines carry. It depends
 * on the topology for store names and Streams state, on model and config; it must not depend on the
 * executor, the connector, the embedded platform, the command line or the benchmarks, and uses no
 * ZooKeeper or Kubernetes client: what it shows of them comes through the topology's topics.
 */
package iota.orchestrator.api;
