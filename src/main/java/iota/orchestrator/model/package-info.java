/**
 * The messages and state records of DESIGN.md §2 and their JSON: change events, heartbeats,
 * orchestrate and drain requests and their results, assignments, pod commands and statuses; the one
 * definition of a usable id and of Kubernetes names.
 *
 * <p>Near the bottom of the dependency graph: it depends on Jackson, the JDK and the pod phases of
 * {@code health} only, on no other package of ours and no Kafka, ZooKeeper or Kubernetes type, so
 * every part reads and writes the same shapes.
 */
package iota.orchestrator.model;
