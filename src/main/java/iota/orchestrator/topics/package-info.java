/**
 * The topics of the system as values (name, key format, value format) and the headers their
 * records carry: the one place the topology, the executor, the REST layer, the embedded platform
 * and the benchmarks take them from.
 *
 * <p>Depends only on the value types of {@code model}, {@code orphans} and {@code deadletter} and
 * on Kafka's client serdes; never on {@code topology}, {@code executor} or {@code api}, which all
 * depend on it.
 */
package iota.orchestrator.topics;
