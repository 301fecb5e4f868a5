package iota.orchestrator.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.orphans.OrphanReport;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import iota.orchestrator.topology.StreamsHealth;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The process's metrics, scraped as Prometheus text on {@code /metrics}.
 *
 * <p>What it holds: JVM and process binders; the Kafka Streams client metrics ({@link
 * #bindStreams}); per resource type, gauges of instances and resources and counters of moves,
 * recreates and orchestrations read from the plan stores ({@link #bindPlan}); per resource type, the
 * pool size, utilization, scaling events and load spread of its scaling report ({@link
 * #bindScaling}); a counter of
 * dead-lettered records read from the topology's handler ({@link #bindDeadLetters}); a latency timer per
 * HTTP route.
 *
 * <p>Plan metrics come from the state this app instance owns (0 elsewhere, with {@code
 * iota_orchestrator_type_owned} saying which), so a sum over all instances counts each type once.
 * They are cached for a few seconds: a scrape must not scan stores on every read of every meter.
 */
public final class OrchestratorMetrics implements AutoCloseable {
  static final Duration PLAN_CACHE = Duration.ofSeconds(5);

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Map<String, Cached<TypeCounts>> planCache = new ConcurrentHashMap<>();
  private final Map<String, Cached<ScalingReport>> scalingCache = new ConcurrentHashMap<>();
  private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
  private final LongSupplier nanos;
  private volatile KafkaStreamsMetrics streamsMetrics;

  public OrchestratorMetrics() {
    this(System::nanoTime);
  }

  OrchestratorMetrics(LongSupplier nanos) {
    this.nanos = nanos;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** For callers that add meters of their own (the executor, the embedded platform). */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Exposes the number of records this process sent to the dead-letter topic, as counted by the
   * topology's dead-letter handler.
   */
  public void bindDeadLetters(LongSupplier sent) {
    FunctionCounter.builder("iota.orchestrator.dlq.records", sent, LongSupplier::getAsLong)
        .description("Records sent to the dead-letter topic by this process")
        .register(registry);
  }

  /** Exposes the number of outputs dropped (dead-lettered) because they could not be written. */
  public void bindDroppedOutputs(LongSupplier dropped) {
    FunctionCounter.builder("iota.orchestrator.dlq.dropped.outputs", dropped, LongSupplier::getAsLong)
        .description("Outputs not written (over the record limit or refused by the broker) and dead-lettered instead")
        .register(registry);
  }

  /**
   * Exposes the stream app's health: readiness and liveness as 0/1, stream-thread failures, and
   * one 0/1 gauge per condition (tag {@code condition}); the reasons are on {@code /healthz}.
   */
  public void bindHealth(StreamsHealth health) {
    Gauge.builder("iota.orchestrator.ready", health, h -> h.report().ready() ? 1 : 0)
        .description("1 when /readyz answers 200").register(registry);
    Gauge.builder("iota.orchestrator.live", health, h -> h.report().live() ? 1 : 0)
        .description("1 when /healthz answers 200").register(registry);
    FunctionCounter.builder("iota.orchestrator.stream.thread.failures", health, h -> h.report().threadFailures())
        .description("Stream threads that died and were replaced").register(registry);
    for (StreamsHealth.Condition c : StreamsHealth.Condition.values()) {
      Gauge.builder("iota.orchestrator.health.problem", health, h -> h.report().has(c) ? 1 : 0)
          .description("1 while the condition holds").tag("condition", c.name().toLowerCase(Locale.ROOT)).register(registry);
    }
  }

  /** Binds the Kafka Streams client's own metrics (thread, task, store, client). */
  public synchronized void bindStreams(KafkaStreams streams) {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
  }

  /**
   * Registers the per-type plan meters.
   *
   * @param types the configured resource type names
   * @param localCounts counts of a type when this instance owns it, see {@link PlanQueries#localCounts}
   */
  public void bindPlan(List<String> types, Function<String, Optional<TypeCounts>> localCounts) {
    for (String type : types) {
      Function<String, Optional<TypeCounts>> cached = t -> cached(planCache, t, localCounts);
      gauge("iota.orchestrator.type.owned", "1 when this app instance owns the type's state", type, cached, c -> 1);
      gauge("iota.orchestrator.instances", "Live worker instances of the type", type, cached, TypeCounts::instances);
      gauge("iota.orchestrator.resources", "Resources placed on the type's instances", type, cached, c -> c.resources());
      gauge("iota.orchestrator.beyond.capacity", "Resources placed beyond their instance's count: the type is over capacity when above 0", type, cached, c -> c.beyondCapacity());
      counter("iota.orchestrator.moves", "Resources moved by re-orchestrations", type, cached, TypeCounts::moves);
      counter("iota.orchestrator.recreates", "Worker pods re-created", type, cached, TypeCounts::recreates);
      counter("iota.orchestrator.start.timeouts", "Worker pods re-created because they were not Running within iota.pod.start.timeout",
          type, cached, TypeCounts::startTimeouts);
      counter("iota.orchestrator.orchestrations", "Successful re-orchestrations", type, cached, TypeCounts::orchestrations);
    }
  }

  /**
   * Registers the per-type scaling meters (tag {@code resource}), read from the type's scaling report
   * where this app instance owns the type (0 elsewhere, as the plan meters): current and desired pool
   * size, utilization per metric ({@code NaN} while unmeasured), the highest instance's load over the
   * mean, and counters of scaling events and of the resources they moved per {@link
   * ScalingReport.Kind} (tag {@code kind}), from the report's running totals so they survive its
   * window of the last events.
   *
   * <p>The moves counter is {@code iota_orchestrator_scale_moves_total}: {@code
   * iota_orchestrator_moves_total} is the plan's counter of every move, tagged {@code type}, and
   * Prometheus wants one set of labels per name.
   *
   * @param types the configured resource type names
   * @param localScaling the report of a type when this instance owns it, see {@link PlanQueries#localScaling}
   */
  public void bindScaling(List<String> types, Function<String, Optional<ScalingReport>> localScaling) {
    for (String type : types) {
      Function<String, Optional<ScalingReport>> report = t -> cached(scalingCache, t, localScaling);
      scalingGauge("iota.orchestrator.instances.current", "Worker instances of the type now, as its scaling report says", type, report, ScalingReport::current)
          .register(registry);
      scalingGauge("iota.orchestrator.instances.desired", "Worker instances the type's last scaling decision asked for", type, report, ScalingReport::desired)
          .register(registry);
      scalingGauge("iota.orchestrator.utilization", "Usage over requests of the type's ready pods (NaN while unmeasured)", type, report,
          r -> orNaN(r.utilization().cpu())).tag("metric", "cpu").register(registry);
      scalingGauge("iota.orchestrator.utilization", "Usage over requests of the type's ready pods (NaN while unmeasured)", type, report,
          r -> orNaN(r.utilization().memory())).tag("metric", "memory").register(registry);
      scalingGauge("iota.orchestrator.load.max.over.mean", "The most loaded instance's estimated load over the mean (1 when unmeasured)", type, report,
          ScalingReport::maxOverMean).register(registry);
      for (ScalingReport.Kind kind : ScalingReport.Kind.values()) {
        FunctionCounter.builder("iota.orchestrator.scale.events", type, t -> report.apply(t).map(r -> (double) r.eventsTotal().getOrDefault(kind, 0L)).orElse(0.0))
            .description("Scaling and re-orchestration events of the type by kind")
            .tag("resource", type).tag("kind", kind.label()).register(registry);
        FunctionCounter.builder("iota.orchestrator.scale.moves", type, t -> report.apply(t).map(r -> (double) r.movesTotal().getOrDefault(kind, 0L)).orElse(0.0))
            .description("Resources moved by the type's scaling and re-orchestration events, by kind")
            .tag("resource", type).tag("kind", kind.label()).register(registry);
      }
    }
  }

  private static Gauge.Builder<String> scalingGauge(
      String name, String help, String type, Function<String, Optional<ScalingReport>> report, ToDoubleFunction<ScalingReport> f) {
    return Gauge.builder(name, type, t -> report.apply(t).map(f::applyAsDouble).orElse(0.0)).description(help).tag("resource", type);
  }

  private static double orNaN(Double value) {
    return value == null ? Double.NaN : value;
  }

  /**
   * Registers the per-type orphan meters, read from the executor's last report (every app instance
   * holds the same reports, so aggregate them with max, not sum): orphans listed and past their
   * grace per kind, orphans removed since the executor started, and when it last swept.
   */
  public void bindOrphans(List<String> types, Function<String, Optional<OrphanReport>> reports) {
    for (String type : types) {
      for (String kind : List.of("pod", "znode")) {
        Gauge.builder("iota.orchestrator.orphans", type, t -> reports.apply(t).map(r -> (double) r.count(kind)).orElse(0.0))
            .description("Pods or znodes of the type that belong to no planned instance, at the executor's last sweep")
            .tag("type", type).tag("kind", kind).register(registry);
        Gauge.builder("iota.orchestrator.orphans.due", type, t -> reports.apply(t).map(r -> (double) r.due(kind)).orElse(0.0))
            .description("Orphans past iota.orphans.grace and still there after the last sweep (purge off, held, or the removal refused)")
            .tag("type", type).tag("kind", kind).register(registry);
      }
      FunctionCounter.builder("iota.orchestrator.orphans.purged", type, t -> reports.apply(t).map(r -> (double) r.purged()).orElse(0.0))
          .description("Orphans of the type removed since the executor started").tag("type", type).register(registry);
      Gauge.builder("iota.orchestrator.orphans.checked", type, t -> reports.apply(t).map(r -> r.checkedAt() / 1000.0).orElse(0.0))
          .description("Unix time in seconds of the executor's last orphan sweep (0 before the first)").tag("type", type).register(registry);
    }
  }

  /**
   * Records one HTTP request; {@code route} is the route pattern, never the raw path. The timer of
   * each route, method and status is built once: building and registering one per request (tags
   * sorted, histogram config validated, registry looked up) cost more than answering a placement
   * lookup.
   */
  public void recordRequest(String route, String method, int status, long durationNanos) {
    timers.computeIfAbsent(new TimerKey(route, method, status), this::timer).record(durationNanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(TimerKey key) {
    return Timer.builder("iota.orchestrator.http.requests")
        .description("HTTP request latency by route")
        .tag("route", key.route())
        .tag("method", key.method())
        .tag("status", Integer.toString(key.status()))
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  private <T> Optional<T> cached(Map<String, Cached<T>> cache, String type, Function<String, Optional<T>> source) {
    long now = nanos.getAsLong();
    Cached<T> c = cache.get(type);
    if (c == null || now - c.at() > PLAN_CACHE.toNanos()) {
      c = new Cached<>(now, source.apply(type));
      cache.put(type, c);
    }
    return c.value();
  }

  private void gauge(String name, String help, String type, Function<String, Optional<TypeCounts>> counts, ToDoubleFunction<TypeCounts> f) {
    Gauge.builder(name, type, t -> counts.apply(t).map(f::applyAsDouble).orElse(0.0)).description(help).tag("type", type).register(registry);
  }

  private void counter(String name, String help, String type, Function<String, Optional<TypeCounts>> counts, ToDoubleFunction<TypeCounts> f) {
    FunctionCounter.builder(name, type, t -> counts.apply(t).map(f::applyAsDouble).orElse(0.0)).description(help).tag("type", type).register(registry);
  }

  @Override
  public synchronized void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    gc.close();
    registry.close();
  }

  private record Cached<T>(long at, Optional<T> value) {}

  private record TimerKey(String route, String method, int status) {}
}
