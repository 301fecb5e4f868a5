/**
 * Topics as declared in {@code topics/topics.json}: their specs ({@link
 * iota.orchestrator.admin.TopicSpec}), creating the missing ones ({@code topics apply}) and reading
 * a topic's history back ({@link iota.orchestrator.admin.TopicReader}, for {@code replay} and tests).
 *
 * <p>Owns the Kafka admin side only. It depends on Kafka clients and Jackson, and on no other
 * package of ours, so every mode and tool can create or read topics without pulling in the topology.
 */
package iota.orchestrator.admin;
