/**
 * Dead letters: how a record that could not be used is written to the dead-letter topic, the same
 * way by whoever gives up on it (the topology's exception handler, the executor).
 *
 * <p>It owns the header names ({@link iota.orchestrator.deadletter.DeadLetterHeaders}) and the
 * building of one dead-letter record with bounded reason, trace and copied headers ({@link
 * iota.orchestrator.deadletter.DeadLetter}). It depends on Kafka's client types only: never on
 * {@code topology} or {@code executor}, which both use it; the topic name is the caller's.
 */
package iota.orchestrator.deadletter;
