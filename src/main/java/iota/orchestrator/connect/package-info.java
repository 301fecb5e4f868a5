/**
 * The Kafka Connect MQTT source connector that bridges {@code cm/notify} into Kafka: QoS 1 on a
 * persistent session, a message acknowledged to the broker only once Kafka has its record, bounded
 * queues, oversized payloads to the dead-letter topic.
 *
 * <p>It runs inside a Connect worker, apart from the orchestrator: it depends on connect-api, the
 * MQTT client, the topic names and the dead-letter header names ({@code deadletter}, so that its
 * dead letters read like the orchestrator's) only, and must not depend on the API, the executor,
 * the planner, the embedded platform, the command line or the benchmarks.
 */
package iota.orchestrator.connect;
