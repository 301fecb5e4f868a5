/**
 * Pod health: when an instance's pod is late, terminal, missing or slow to start, and whether it
 * may be recreated now (heartbeat deadlines, the grace after a task start, the no-storm rule, the
 * start time limit, the inventory rule), and the health word the plan shows.
 *
 * <p>Owns: {@link iota.orchestrator.health.PodHealthPolicy}, {@link
 * iota.orchestrator.health.HeartbeatRule}, {@link iota.orchestrator.health.PodStartPolicy}, {@link
 * iota.orchestrator.health.PodPhases} and the {@link iota.orchestrator.health.PodLife} view they
 * judge. Depends only on the JDK: the topology, the model and the API call it, not the other way
 * round. Time comes in as arguments (the caller's clock), never from the wall clock here, so every
 * rule is a plain function tested without Kafka.
 */
package iota.orchestrator.health;
