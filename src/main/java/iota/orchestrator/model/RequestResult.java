package iota.orchestrator.model;

/**
 * The answer to one request on {@code iota.orchestrator.results}. {@code status} follows HTTP:
 * 200 with a report, 400 for invalid parameters, 404 for an unknown resource type, 409 when the
 * plan cannot be made (the sizing error).
 */
public record RequestResult(String requestId, String resource, int status, OrchestrationReport report, String error) {

  public static RequestResult ok(String requestId, OrchestrationReport report) {
    return new RequestResult(requestId, report.resource(), 200, report, null);
  }

  public static RequestResult error(String requestId, String resource, int status, String error) {
    return new RequestResult(requestId, resource, status, null, error);
  }

  public boolean isOk() {
    return status == 200;
  }
}
