/**
 * The typed configuration ({@link iota.orchestrator.config.OrchestratorConfig}): built once from a
 * map of properties and environment variables, validated at start with messages that name the
 * key; the resource types and their orchestration defaults; {@code host:port} values.
 *
 * <p>Depends on model only (for id validation) and on no library: every other package reads its
 * settings from here, and tests build a configuration from a plain map.
 */
package iota.orchestrator.config;
