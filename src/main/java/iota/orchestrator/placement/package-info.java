/**
 * The planner: which instance of a resource type serves which resource.
 *
 * <p>Plain Java on purpose (no Kafka, ZooKeeper or Jackson types): the same code runs inside the
 * Streams topology, in the {@code plan} command on a file, in unit tests and in the
 * benchmarks' {@code PlannerBenchmark}. Every decision is a pure function of the inputs
 * and their order: no randomness, no wall clock, no iteration over hash order.
 *
 * <p>Owns the planner and its value types. It depends on model only (ids); it must not depend on
 * any other package of ours, on Kafka, ZooKeeper, Kubernetes or HTTP types, or on Jackson.
 */
package iota.orchestrator.placement;
