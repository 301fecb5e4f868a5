/**
 * The in-JVM platform of {@code embedded} mode and of the tests: a single-node Kafka (KRaft),
 * ZooKeeper, an MQTT broker (Moquette, or a mosquitto it starts), a Kafka Connect worker, a
 * simulated Kubernetes API and a simulated worker fleet, and {@link
 * iota.orchestrator.embedded.EmbeddedPlatform} that starts them with the topology, the executor and
 * the REST server.
 *
 * <p>It wires the production parts, it does not replace them: it may use every package but the
 * command line and the benchmarks, which use it.
 */
package iota.orchestrator.embedded;
