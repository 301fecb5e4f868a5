package iota.orchestrator.api;

import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.RequestResult;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a request to the topology (a re-orchestration, a drain or an undrain) and completes with its
 * answer. The future fails
 * with {@link java.util.concurrent.TimeoutException} when no answer came in time and with {@link
 * GatewayUnavailableException} when the request could not be sent, and with {@link
 * DuplicateRequestException} when a request with the same id is still waiting for its answer.
 */
public interface OrchestrateGateway {
  /**
   * @param requestId the request's id, a usable id (see {@code Ids}): the HTTP
   *     request's, so that its log lines in every process carry the same id
   */
  CompletableFuture<RequestResult> orchestrate(String requestId, String resource, OrchestrationParams params);

  /**
   * Drains instance {@code instanceId} of {@code resource} (every resource moves off it and it takes
   * no new ones) when {@code drain}, or makes it eligible again when not.
   *
   * @param requestId the request's id, as for {@link #orchestrate}
   */
  CompletableFuture<RequestResult> drain(String requestId, String resource, int instanceId, boolean drain);

  /** A request with this id is waiting for its answer already: the two answers could not be told apart. */
  final class DuplicateRequestException extends RuntimeException {
    public DuplicateRequestException(String requestId) {
      super("a request with id " + requestId + " is still waiting for its answer");
    }
  }

  /** The request could not be handed to Kafka. */
  final class GatewayUnavailableException extends RuntimeException {
    public GatewayUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
