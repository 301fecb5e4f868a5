/**
 * The autoscaler's decision core (issue 12 §3): from one round of pod usage samples of a resource
 * type, its parameters and the recommendations of earlier rounds, how many worker instances the
 * type should run, with the reason in words and a condition word as Kubernetes' HorizontalPodAutoscaler
 * reports them.
 *
 * <p>Owns: {@link iota.orchestrator.autoscale.Autoscaler} and its value types (parameters, samples,
 * rounds, the serializable state between rounds, the decision). Depends only on the JDK, on {@code
 * placement.Sizing} for the count minimum of DESIGN.md §2, and on Jackson annotations for the state's
 * stable JSON. It must not depend on Kafka, ZooKeeper, fabric8, the topology, the executor, the API
 * or the configuration: the topology and the metrics poller will call it, not the other way round.
 * Every decision is a pure function of its arguments; time comes only from the samples' timestamps,
 * never from the wall clock, so a replay of the same samples makes the same decisions.
 *
 * <p>The topology (its {@code ElasticOrchestrator}) calls it once per metrics round of a type.
 */
package iota.orchestrator.autoscale;
