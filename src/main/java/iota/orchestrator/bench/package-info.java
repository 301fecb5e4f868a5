/**
 * Every benchmark and nothing else: planner, topology, end to end, REST under load, scale, MQTT
 * bridge, elastic, throughput, as printed by the {@code bench} command.
 *
 * <p>It sits on top and may use any package; no package but the command line may depend on it, so
 * production code never carries measuring code.
 */
package iota.orchestrator.bench;
