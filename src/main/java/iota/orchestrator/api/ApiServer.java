package iota.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.Ids;
import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.topology.DeadLetterHandler;
import iota.orchestrator.topology.StreamsApp;
import iota.orchestrator.topology.StreamsHealth;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP face of an orchestrator process: the REST API of DESIGN.md §2 plus a listing of all
 * types, one instance, one type's summary and scaling report, and drain / undrain of an instance
 * (issue 12); {@code /healthz}, {@code /readyz}, {@code /metrics};
 * the OpenAPI document at {@code /openapi.json} and the dashboard at {@code /}. The same routes
 * serve embedded and stream mode.
 *
 * <p>Every error is JSON {@code {"error": "..."}}. A 500 never carries internals: the exception is
 * logged and the client gets a generic message.
 *
 * <p>Reads go through {@link PlanQueries} (local state or the owning app instance); orchestrate,
 * drain and undrain requests through an {@link OrchestrateGateway}. Both are injected, so the HTTP
 * behaviour is tested against fakes and the wiring against real Kafka Streams.
 *
 * <p>Every request has an id: the caller's {@value #REQUEST_ID_HEADER} when it is a usable id of
 * visible ASCII, else a generated one. It is echoed in that header of the answer, is in the MDC key
 * {@value OrchestrateRequest#MDC_REQUEST_ID} of every line logged about the request, and becomes
 * the id of the orchestrate request it sends, so the topology's lines about it carry it too.
 */
public final class ApiServer implements AutoCloseable {
  /** Base path of the REST API. */
  public static final String API = "/v1/api/orchestrations";
  /** Largest accepted request body; the three parameters fit in a few dozen bytes. */
  public static final int MAX_BODY_BYTES = 64 * 1024;
  /** Ids per page of {@code .../instances/{instanceId}/resources} when no {@code limit} is given. */
  public static final int DEFAULT_PAGE = 1000;
  /** Largest {@code limit} of a page: the largest capacity an instance is given (4,999) fits in one. */
  public static final int MAX_PAGE = 5000;

  /** Header naming a request: honoured when usable, generated otherwise, echoed in the answer. */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  /** Visible ASCII only: a header value, a log field and a Kafka record field without escaping. */
  private static final Pattern REQUEST_ID = Pattern.compile("[!-~]+");
  private static final Set<String> BODY_FIELDS = Set.of("maxInstances", "resourcePerInstance", "initInstances");
  private static final String START_NANOS = "iota.start";
  private static final String JSON = "application/json";

  private final OrchestratorConfig config;
  private final Map<String, ResourceType> types = new LinkedHashMap<>();
  private final PlanQueries queries;
  private final OrchestrateGateway gateway;
  private final StreamsHealth health;
  private final OrchestratorMetrics metrics;
  private final Auth auth;
  private final Cors cors;
  private final Duration requestTimeout;
  private final List<String> routes = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final SimulationRoutes simulation;
  private final Javalin app;

  /**
   * @param config host, port, token, CORS origins, request timeout and resource types
   * @param queries plan reads
   * @param gateway orchestrate requests
   * @param streamsState the Streams client's state, for the health endpoints (no thread failures
   *     are known this way: for fakes and tests)
   * @param metrics scraped on {@code /metrics}; also records request latency
   */
  public ApiServer(
      OrchestratorConfig config,
      PlanQueries queries,
      OrchestrateGateway gateway,
      Supplier<KafkaStreams.State> streamsState,
      OrchestratorMetrics metrics) {
    this(config, queries, gateway, new StreamsHealth(streamsState, Map::of, Duration.ofMinutes(2), Duration.ofMinutes(1), System::currentTimeMillis), metrics);
  }

  /**
   * @param health the stream app's health (state, thread failures, stalled commits), for the
   *     health endpoints
   */
  public ApiServer(
      OrchestratorConfig config,
      PlanQueries queries,
      OrchestrateGateway gateway,
      StreamsHealth health,
      OrchestratorMetrics metrics) {
    this.config = config;
    config.resourceTypes().forEach(t -> types.put(t.name(), t));
    this.queries = queries;
    this.gateway = gateway;
    this.health = health;
    this.metrics = metrics;
    this.auth = Auth.fromConfig(config);
    this.cors = new Cors(config.get(ConfigKeys.CORS_ORIGINS));
    this.requestTimeout = config.get(ConfigKeys.API_REQUEST_TIMEOUT);
    this.simulation = new SimulationRoutes(types.keySet());
    this.app = Javalin.create(this::configure);
  }

  /**
   * The server of a Streams app instance: interactive queries over {@code streams}, orchestrate
   * requests through Kafka, Streams, plan and dead-letter metrics bound to {@code metrics}. The Streams client
   * must have {@code application.server} set to {@code iota.application.server} when the app runs
   * scaled out. {@link #close()} closes the Kafka clients it created; {@code streams} and {@code
   * metrics} stay the caller's.
   */
  public static ApiServer forStreams(OrchestratorConfig config, StreamsApp app, OrchestratorMetrics metrics) {
    KafkaStreams streams = app.streams();
    StreamsPlanQueries queries = new StreamsPlanQueries(streams, config);
    metrics.bindStreams(streams);
    metrics.bindDeadLetters(DeadLetterHandler::sent);
    metrics.bindDroppedOutputs(DeadLetterHandler::droppedOutputs);
    metrics.bindHealth(app.health());
    metrics.bindPlan(config.resourceTypes().stream().map(ResourceType::name).toList(), queries::localCounts);
    metrics.bindScaling(config.resourceTypes().stream().map(ResourceType::name).toList(), queries::localScaling);
    metrics.bindOrphans(config.resourceTypes().stream().map(ResourceType::name).toList(), queries::orphanReport);
    KafkaOrchestrateGateway gateway = KafkaOrchestrateGateway.create(config);
    try {
      ApiServer server = new ApiServer(config, queries, gateway, app.health(), metrics);
      server.owned.add(gateway);
      return server;
    } catch (RuntimeException e) {
      gateway.close();
      throw e;
    }
  }

  /** Serves the simulated fleet's load routes from {@code control}; null (the default) answers them 404. */
  public ApiServer simulation(SimulationControl control) {
    simulation.control(control);
    return this;
  }

  /** Binds {@code iota.http.host}:{@code iota.http.port} (0 picks a free port). */
  public ApiServer start() {
    app.start(config.get(ConfigKeys.HTTP_HOST), config.get(ConfigKeys.HTTP_PORT));
    LOG.info("REST API listening on port {}", app.port());
    return this;
  }

  /** The bound port, after {@link #start()}. */
  public int port() {
    return app.port();
  }

  /** Every API route as {@code "METHOD /path/{param}"}, in registration order. */
  public List<String> routes() {
    return Collections.unmodifiableList(routes);
  }

  @Override
  public void close() {
    app.stop();
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", c.getClass().getSimpleName(), e);
      }
    }
  }

  // ---- configuration

  private void configure(JavalinConfig c) {
    c.startup.showJavalinBanner = false;
    c.startup.showOldJavalinVersionWarning = false;
    c.http.maxRequestSize = MAX_BODY_BYTES;
    // A path that exists with another method is a 405 naming the allowed ones, not a 404.
    c.http.prefer405over404 = true;
    // Errors Jetty answers before any route runs are JSON too.
    c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
    c.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler()));
    // A filter rather than a before-handler: it also covers the exception handlers, and its finally
    // clears the id from a Jetty thread that hands an answer over to a future.
    c.jetty.modifyServletContextHandler(context -> context.addFilter(new RequestIdFilter(), "/*", EnumSet.of(DispatcherType.REQUEST)));
    c.staticFiles.add(
        s -> {
          s.hostedPath = "/";
          s.directory = "/dashboard";
          s.location = Location.CLASSPATH;
          s.headers = SecurityHeaders.ALL;
        });
    c.events.handlerAdded(
        h -> {
          if (isOperation(h.getHttpMethod())) {
            routes.add(h.getHttpMethod().name() + " " + h.getPath());
          }
        });
    c.requestLogger.http((ctx, ms) -> recordLatency(ctx));

    c.routes.before(this::beforeEveryRequest);
    // Register the placement lookup before the instance route: for /{resource}/instances/instances
    // both match, and there "instances" can only be a resource id (it is not an instance id).
    c.routes.get(API, this::listTypes);
    c.routes.get(API + "/{resource}", this::plan);
    c.routes.get(API + "/{resource}/summary", this::summary);
    c.routes.get(API + "/{resource}/orphans", this::orphans);
    c.routes.get(API + "/{resource}/scaling", this::scaling);
    c.routes.post(API + "/{resource}/orchestrate", this::orchestrate);
    c.routes.get(API + "/{resource}/{id}/instances", this::placement);
    c.routes.get(API + "/{resource}/instances/{instanceId}", this::instance);
    c.routes.get(API + "/{resource}/instances/{instanceId}/resources", this::resources);
    c.routes.post(API + "/{resource}/instances/{instanceId}/drain", ctx -> drain(ctx, true));
    c.routes.post(API + "/{resource}/instances/{instanceId}/undrain", ctx -> drain(ctx, false));
    c.routes.put(SimulationRoutes.PATH + "/{resource}", simulation::setDefault);
    c.routes.put(SimulationRoutes.PATH + "/{resource}/{id}", simulation::setResource);
    c.routes.get("/healthz", this::liveness);
    c.routes.get("/readyz", this::readiness);
    c.routes.get("/metrics", this::scrape);
    // Preflights per route rather than one "/v1/*": a catch-all OPTIONS route would make every
    // unknown path a 405 (some method "matches" it) instead of a 404.
    for (String path :
        List.of(
            API, API + "/{resource}", API + "/{resource}/summary", API + "/{resource}/orchestrate", API + "/{resource}/{id}/instances",
            API + "/{resource}/instances/{instanceId}", API + "/{resource}/instances/{instanceId}/resources", API + "/{resource}/orphans",
            API + "/{resource}/scaling", API + "/{resource}/instances/{instanceId}/drain", API + "/{resource}/instances/{instanceId}/undrain",
            SimulationRoutes.PATH + "/{resource}", SimulationRoutes.PATH + "/{resource}/{id}")) {
      c.routes.options(path, this::preflight);
    }

    c.routes.exception(ApiException.class, (e, ctx) -> write(ctx, Reply.error(e.status(), e.getMessage())));
    c.routes.exception(HttpResponseException.class, this::httpError);
    c.routes.exception(Exception.class, this::internalError);
  }

  private static boolean isOperation(HandlerType t) {
    return t == HandlerType.GET || t == HandlerType.POST || t == HandlerType.PUT || t == HandlerType.PATCH || t == HandlerType.DELETE;
  }

  private void beforeEveryRequest(Context ctx) {
    ctx.attribute(START_NANOS, System.nanoTime());
    SecurityHeaders.ALL.forEach(ctx::header);
    if (Collections.list(ctx.req().getHeaders("Authorization")).size() > 1) {
      // Proxies and servers disagree on which of several credentials counts; accept none of them.
      throw new ApiException(400, "more than one Authorization header");
    }
    String origin = ctx.header("Origin");
    if (cors.allows(origin)) {
      ctx.header("Access-Control-Allow-Origin", origin);
      ctx.header("Access-Control-Allow-Credentials", "true");
      ctx.header("Access-Control-Expose-Headers", Cors.EXPOSE_HEADERS);
    }
    if (cors.enabled()) {
      // Answers differ by Origin, so caches must key on it.
      ctx.header("Vary", "Origin");
    }
    if (ctx.method() == HandlerType.OPTIONS || !ctx.path().startsWith("/v1/")) {
      return;
    }
    if (ctx.contentLength() > MAX_BODY_BYTES) {
      throw new ApiException(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    boolean mutating = ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD;
    if (auth.required(mutating) && !auth.accepts(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"iota-orchestrator\"");
      throw new ApiException(401, "missing or invalid bearer token");
    }
  }

  private void preflight(Context ctx) {
    if (cors.allows(ctx.header("Origin"))) {
      ctx.header("Access-Control-Allow-Methods", Cors.ALLOW_METHODS);
      ctx.header("Access-Control-Allow-Headers", Cors.ALLOW_HEADERS);
      ctx.header("Access-Control-Max-Age", Cors.MAX_AGE_SECONDS);
    }
    ctx.status(204);
  }

  // ---- reads

  private void listTypes(Context ctx) {
    List<CompletableFuture<Reply>> parts = new ArrayList<>();
    for (ResourceType type : types.values()) {
      String path = API + "/" + type.name() + "/summary";
      parts.add(queries.summary(readRequest(ctx, type, path)));
    }
    CompletableFuture<Reply> all =
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
            .thenApply(
                done -> {
                  List<JsonNode> summaries = new ArrayList<>();
                  for (CompletableFuture<Reply> part : parts) {
                    Reply r = part.join();
                    if (r.status() != 200) {
                      // All or nothing: a partial list would read as "this type is empty".
                      return r;
                    }
                    summaries.add(Json.tree(r.body().getBytes(StandardCharsets.UTF_8)));
                  }
                  return Reply.ok(Map.of("types", summaries));
                });
    respond(ctx, all);
  }

  private void plan(Context ctx) {
    ResourceType type = knownType(ctx);
    boolean ids = withIds(ctx);
    respond(ctx, queries.plan(readRequest(ctx, type, null), ids));
  }

  /** {@code ?ids=false} leaves the resource ids out of a plan or instance read. */
  private static boolean withIds(Context ctx) {
    String ids = ctx.queryParam("ids");
    if (ids == null || ids.equals("true")) {
      return true;
    }
    if (ids.equals("false")) {
      return false;
    }
    throw new ApiException(400, "ids must be true or false, got '" + abbreviate(ids) + "'");
  }

  private void summary(Context ctx) {
    ResourceType type = knownType(ctx);
    respond(ctx, queries.summary(readRequest(ctx, type, null)));
  }

  private void orphans(Context ctx) {
    ResourceType type = knownType(ctx);
    respond(ctx, queries.orphans(readRequest(ctx, type, null)));
  }

  private void scaling(Context ctx) {
    ResourceType type = knownType(ctx);
    respond(ctx, queries.scaling(readRequest(ctx, type, null)));
  }

  private void placement(Context ctx) {
    ResourceType type = knownType(ctx);
    String id = ctx.pathParam("id");
    String problem = Ids.problem(id);
    if (problem != null) {
      throw new ApiException(400, "resource id " + problem);
    }
    respond(ctx, queries.placement(readRequest(ctx, type, null), id));
  }

  private void instance(Context ctx) {
    ResourceType type = knownType(ctx);
    String instanceId = instanceId(ctx);
    respond(ctx, queries.instance(readRequest(ctx, type, null), instanceId, withIds(ctx)));
  }

  private void resources(Context ctx) {
    ResourceType type = knownType(ctx);
    String instanceId = instanceId(ctx);
    String after = ctx.queryParam("after");
    if (after != null) {
      String problem = Ids.problem(after);
      if (problem != null) {
        throw new ApiException(400, "after must be a resource id: " + problem);
      }
    }
    int limit = DEFAULT_PAGE;
    String raw = ctx.queryParam("limit");
    if (raw != null) {
      try {
        limit = Integer.parseInt(raw);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_PAGE) {
        throw new ApiException(400, "limit must be an integer in [1, " + MAX_PAGE + "], got '" + abbreviate(raw) + "'");
      }
    }
    respond(ctx, queries.resources(readRequest(ctx, type, null), instanceId, after, limit));
  }

  private static String instanceId(Context ctx) {
    String instanceId = ctx.pathParam("instanceId");
    if (!InstanceIds.isValid(instanceId)) {
      throw new ApiException(400, "instanceId must be a non-negative integer without leading zeros, below " + InstanceIds.MAX);
    }
    return instanceId;
  }

  private ReadRequest readRequest(Context ctx, ResourceType type, String pathOverride) {
    String path;
    if (pathOverride != null) {
      path = pathOverride;
    } else {
      String query = ctx.queryString();
      path = ctx.path() + (query == null || query.isEmpty() ? "" : "?" + query);
    }
    return new ReadRequest(
        type.name(),
        path,
        ctx.header("Authorization"),
        ctx.header(StreamsPlanQueries.FORWARDED_HEADER) != null,
        "true".equals(ctx.header(StreamsPlanQueries.STALE_HEADER)));
  }

  private ResourceType knownType(Context ctx) {
    String name = ctx.pathParam("resource");
    ResourceType type = types.get(name);
    if (type == null) {
      throw new ApiException(404, "unknown resource type '" + abbreviate(name) + "' (known: " + String.join(", ", types.keySet()) + ")");
    }
    return type;
  }

  // ---- orchestrate

  private void orchestrate(Context ctx) {
    ResourceType type = knownType(ctx);
    OrchestrationParams params = params(ctx);
    List<String> problems = params.problems();
    if (!problems.isEmpty()) {
      throw new ApiException(400, String.join("; ", problems));
    }
    try {
      params.withDefaults(type.defaults());
    } catch (InvalidRecordException e) {
      throw new ApiException(400, e.getMessage());
    }
    String requestId = requestId(ctx);
    respond(ctx, gateway.orchestrate(requestId, type.name(), params).handle((result, error) -> withRequestId(requestId, () -> gatewayReply(result, error))));
  }

  /** {@code POST .../instances/{instanceId}/drain} when {@code drain}, {@code .../undrain} when not. */
  private void drain(Context ctx, boolean drain) {
    ResourceType type = knownType(ctx);
    int instanceId = Integer.parseInt(instanceId(ctx));
    requireNoParameters(ctx, drain ? "drain" : "undrain");
    String requestId = requestId(ctx);
    respond(ctx, gateway.drain(requestId, type.name(), instanceId, drain).handle((result, error) -> withRequestId(requestId, () -> gatewayReply(result, error))));
  }

  /** A body that is empty or {@code {}}: drain and undrain take no parameters. */
  private static void requireNoParameters(Context ctx, String op) {
    JsonNode root = jsonBody(ctx);
    if (root == null) {
      return;
    }
    if (!root.isObject()) {
      throw new ApiException(400, "body must be empty or {}: " + op + " takes no parameters");
    }
    Iterator<String> fields = root.fieldNames();
    if (fields.hasNext()) {
      throw new ApiException(400, "unknown field '" + abbreviate(fields.next()) + "' (" + op + " takes no parameters)");
    }
  }

  /** The body as JSON, null when it is blank: 415 when it is declared as something else, 400 when it is not JSON. */
  private static JsonNode jsonBody(Context ctx) {
    byte[] body = ctx.bodyAsBytes();
    if (new String(body, StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    String contentType = ctx.contentType();
    if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith(JSON)) {
      throw new ApiException(415, "Content-Type must be application/json");
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new ApiException(400, "body is not valid JSON");
    }
    return root == null ? MissingNode.getInstance() : root;
  }

  private OrchestrationParams params(Context ctx) {
    JsonNode root = jsonBody(ctx);
    if (root == null) {
      return OrchestrationParams.EMPTY;
    }
    if (!root.isObject()) {
      throw new ApiException(400, "body must be a JSON object with optional maxInstances, resourcePerInstance, initInstances");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!BODY_FIELDS.contains(field)) {
        throw new ApiException(400, "unknown field '" + abbreviate(field) + "' (allowed: maxInstances, resourcePerInstance, initInstances)");
      }
    }
    try {
      return OrchestrateRequest.params(root);
    } catch (InvalidRecordException e) {
      throw new ApiException(400, e.getMessage());
    }
  }

  /** The topology's answer to a request as HTTP: its own status, or why there was none. */
  private Reply gatewayReply(RequestResult result, Throwable error) {
    if (error != null) {
      Throwable cause = unwrap(error);
      if (cause instanceof TimeoutException) {
        return Reply.error(504, "no answer from the orchestrator within " + requestTimeout.toMillis() + " ms; the request may still be applied");
      }
      if (cause instanceof OrchestrateGateway.DuplicateRequestException) {
        return Reply.error(409, cause.getMessage());
      }
      if (cause instanceof OrchestrateGateway.GatewayUnavailableException) {
        LOG.warn("request not sent: {}", cause.getMessage());
        return Reply.unavailable("the request could not be sent; try again");
      }
      LOG.error("request to the topology failed", cause);
      return Reply.error(500, "internal error");
    }
    if (result.isOk() && result.report() != null) {
      return Reply.ok(result.report());
    }
    int status = result.status() >= 400 && result.status() < 600 ? result.status() : 500;
    return Reply.error(status, result.error() == null ? "request failed" : result.error());
  }

  // ---- health and metrics

  /**
   * 503 DOWN when a restart is the right response (Streams in ERROR, threads replaced in a loop);
   * 200 DEGRADED with the problems when it is not ready but live; 200 UP otherwise.
   */
  private void liveness(Context ctx) {
    StreamsHealth.Report r = health.report();
    String status = !r.live() ? "DOWN" : r.ready() ? "UP" : "DEGRADED";
    Map<String, Object> body = healthBody(r, status);
    body.put("threadFailures", r.threadFailures());
    if (r.lastFailure() != null) {
      body.put("lastThreadFailure", r.lastFailure());
      body.put("lastThreadFailureAt", r.lastFailureAt().toString());
    }
    write(ctx, new Reply(r.live() ? 200 : 503, Json.string(body), Map.of()));
  }

  private void readiness(Context ctx) {
    StreamsHealth.Report r = health.report();
    write(ctx, new Reply(r.ready() ? 200 : 503, Json.string(healthBody(r, r.ready() ? "READY" : "NOT_READY")), Map.of()));
  }

  private static Map<String, Object> healthBody(StreamsHealth.Report r, String status) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("streams", r.streams().name());
    if (!r.problems().isEmpty()) {
      body.put("problems", r.problems().stream().map(p -> Map.of("condition", p.condition().name(), "reason", p.reason())).toList());
    }
    return body;
  }

  private void scrape(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }

  private void recordLatency(Context ctx) {
    Long start = ctx.attribute(START_NANOS);
    if (start == null) {
      return;
    }
    metrics.recordRequest(routeOf(ctx), ctx.method().name(), ctx.statusCode(), System.nanoTime() - start);
  }

  /** The matched route pattern; a bounded set of values, unlike raw paths. */
  private static String routeOf(Context ctx) {
    try {
      return ctx.endpoint().path;
    } catch (RuntimeException e) {
      return ctx.statusCode() == 404 ? "unmatched" : "static";
    }
  }

  // ---- answers

  private void respond(Context ctx, CompletableFuture<Reply> reply) {
    if (reply.isDone() && !reply.isCompletedExceptionally()) {
      write(ctx, reply.join());
      return;
    }
    String requestId = requestId(ctx);
    ctx.future(
        () ->
            reply.handle(
                (r, e) ->
                    withRequestId(
                        requestId,
                        () -> {
                          if (e != null) {
                            LOG.error("{} {} failed", ctx.method(), ctx.path(), unwrap(e));
                            write(ctx, Reply.error(500, "internal error"));
                          } else {
                            write(ctx, r);
                          }
                          return null;
                        })));
  }

  private static void write(Context ctx, Reply reply) {
    reply.headers().forEach(ctx::header);
    ctx.status(reply.status()).contentType(JSON).result(reply.body());
  }

  private void httpError(HttpResponseException e, Context ctx) {
    String message =
        switch (e.getStatus()) {
          case 404 -> "not found";
          case 405 -> methodNotAllowed(e, ctx);
          case 413 -> "request body is larger than " + MAX_BODY_BYTES + " bytes";
          default -> e.getMessage() == null ? "request failed" : e.getMessage();
        };
    write(ctx, Reply.error(e.getStatus(), message));
  }

  /** Names the allowed methods, in {@code Allow} and in the message. */
  private static String methodNotAllowed(HttpResponseException e, Context ctx) {
    String allowed = e.getDetails().get("availableMethods");
    if (allowed == null || allowed.isBlank()) {
      return "method not allowed";
    }
    String methods = String.join(", ", Arrays.stream(allowed.split("[,\\s]+")).filter(m -> !m.isBlank() && !m.equals("OPTIONS")).toList());
    ctx.header("Allow", methods);
    return "method " + ctx.method().name() + " not allowed (allowed: " + methods + ")";
  }

  private void internalError(Exception e, Context ctx) {
    LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
    write(ctx, Reply.error(500, "internal error"));
  }

  // ---- request ids

  private static String requestId(Context ctx) {
    return (String) ctx.req().getAttribute(OrchestrateRequest.MDC_REQUEST_ID);
  }

  /** Runs {@code body} with {@code requestId} in the MDC, on whichever thread completes a future. */
  private static <T> T withRequestId(String requestId, Supplier<T> body) {
    String outer = MDC.get(OrchestrateRequest.MDC_REQUEST_ID);
    MDC.put(OrchestrateRequest.MDC_REQUEST_ID, requestId);
    try {
      return body.get();
    } finally {
      if (outer == null) {
        MDC.remove(OrchestrateRequest.MDC_REQUEST_ID);
      } else {
        MDC.put(OrchestrateRequest.MDC_REQUEST_ID, outer);
      }
    }
  }

  /** The caller's id when it is usable, else a new one. */
  static String chooseRequestId(String header) {
    return header != null && REQUEST_ID.matcher(header).matches() && Ids.problem(header) == null ? header : UUID.randomUUID().toString();
  }

  /** Gives each request its id, in the answer's header and in the MDC while a Jetty thread serves it. */
  private static final class RequestIdFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
      String id = chooseRequestId(((HttpServletRequest) request).getHeader(REQUEST_ID_HEADER));
      request.setAttribute(OrchestrateRequest.MDC_REQUEST_ID, id);
      ((HttpServletResponse) response).setHeader(REQUEST_ID_HEADER, id);
      MDC.put(OrchestrateRequest.MDC_REQUEST_ID, id);
      try {
        chain.doFilter(request, response);
      } finally {
        MDC.remove(OrchestrateRequest.MDC_REQUEST_ID);
      }
    }
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
