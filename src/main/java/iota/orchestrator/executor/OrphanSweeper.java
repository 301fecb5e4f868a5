package iota.orchestrator.executor;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.orphans.Observed;
import iota.orchestrator.orphans.Orphan;
import iota.orchestrator.orphans.OrphanDecision;
import iota.orchestrator.orphans.OrphanReport;
import iota.orchestrator.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and removes orphans: managed pods and plan znodes that belong to no planned instance (seed
 * 004's {@code check_orphan} / {@code purge_orphan}). It runs in the executor because only the
 * executor sees Kubernetes and ZooKeeper; the plan it compares them with is the compacted
 * assignments topic ({@link PlanView}), which is the whole plan.
 *
 * <p>A sweep runs at start and then every {@code iota.orphans.interval}: list pods and znodes, read
 * the plan to its end, let {@link OrphanDecision} judge (plain Java), then, when {@code
 * iota.orphans.purge} is on, remove the orphans whose grace ({@code iota.orphans.grace}) has passed.
 * When the plan cannot be read to its end, the sweep stops there: without the whole plan, everything
 * would look orphaned.
 *
 * <h2>Why a removal is safe</h2>
 *
 * <ul>
 *   <li>The grace: an orphan is removed only after it has been one for the whole grace, sweep after
 *       sweep; an instance being created, or a plan the executor has not caught up with, is planned
 *       long before that.
 *   <li>A type with an empty plan is never purged (a fresh install or a lost topic looks like that),
 *       and types that are not configured are never touched.
 *   <li>The removal is fenced: it holds the executor's apply lock, so no assignment or pod command
 *       is being applied meanwhile; it reads the plan again to its end (so it includes everything the
 *       executor has applied or is about to apply), looks at the object again, and removes it only
 *       if it is still the same object (pod UID, znode creation zxid) and still an orphan. The
 *       removal itself is conditional: pods on their {@code resourceVersion}, znodes on their
 *       versions in one transaction. An assignment committed after the check is applied after the
 *       removal and writes its instance anew.
 * </ul>
 *
 * <h2>Where the report goes</h2>
 *
 * The REST API runs with the stream app, not here. After each sweep the executor publishes one
 * {@link OrphanReport} per configured type on the compacted {@code iota.orchestrator.orphans}
 * topic (key = the type); the stream app keeps the latest of each in a global store and serves it
 * as it is, with its {@code checkedAt}, on {@code GET /v1/api/orchestrations/:resource/orphans} and
 * in its metrics. The report is the executor's observation; computing pod orphans again in the
 * topology from the pod inventory would give a second answer for pods and none for znodes.
 */
public final class OrphanSweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrphanSweeper.class);

  /**
   * @param interval time between sweeps ({@code iota.orphans.interval})
   * @param grace how long an orphan is left alone ({@code iota.orphans.grace})
   * @param purge remove due orphans ({@code iota.orphans.purge}); false reports only
   * @param planTimeout how long reading the plan to its end may take
   */
  public record Settings(Duration interval, Duration grace, boolean purge, Duration planTimeout) {
    public static Settings from(OrchestratorConfig config) {
      return new Settings(config.get(ConfigKeys.ORPHANS_INTERVAL), config.get(ConfigKeys.ORPHANS_GRACE),
          config.get(ConfigKeys.ORPHANS_PURGE), Duration.ofSeconds(30));
    }
  }

  /** Where reports go. */
  public interface ReportSink {
    void publish(OrphanReport report);
  }

  private final OrphanDecision decision;
  private final List<String> types;
  private final PlanView plan;
  private final OrphanPods pods;
  private final OrphanZnodes znodes;
  private final Lock applying;
  private final ReportSink sink;
  private final Clock clock;
  private final Settings settings;
  private final Map<String, Long> purged = new HashMap<>();
  private final Set<String> foreignSeen = new HashSet<>();
  private Map<String, Long> firstSeen = Map.of();
  private final PeriodicTask sweeps;

  /**
   * @param applying the executor's apply lock; held while a removal is checked and made
   */
  OrphanSweeper(List<ResourceType> types, PlanView plan, KubernetesClient kubernetes, String namespace, CuratorFramework curator, String root,
      Lock applying, ReportSink sink, Clock clock, Settings settings) {
    Map<String, String> names = new LinkedHashMap<>();
    types.forEach(t -> names.put(t.name(), t.instanceName()));
    this.decision = new OrphanDecision(names, settings.grace());
    this.types = List.copyOf(names.keySet());
    this.plan = plan;
    this.pods = new OrphanPods(kubernetes, namespace);
    this.znodes = new OrphanZnodes(curator, root);
    this.applying = applying;
    this.sink = sink;
    this.clock = clock;
    this.settings = settings;
    this.sweeps = new PeriodicTask("iota-orphan-sweeper", "the orphan sweep", settings.interval(), Duration.ofSeconds(10), this::sweepOnce,
        OrphanSweeper::sweepFailed);
  }

  /** The sweeper of an executor process: the plan from its own consumer, reports through {@code producer}. */
  static OrphanSweeper create(OrchestratorConfig config, KubernetesClient kubernetes, CuratorFramework curator,
      Producer<byte[], byte[]> producer, Lock applying) {
    return new OrphanSweeper(config.resourceTypes(), AssignmentsPlanView.create(config), kubernetes,
        config.require(ConfigKeys.KUBERNETES_NAMESPACE), curator, config.require(ConfigKeys.ZOOKEEPER_ROOT), applying,
        report -> producer.send(
            Topics.ORPHANS.record(report.resource(), report),
            (md, e) -> {
              if (e != null) {
                log.warn("could not publish the orphan report of {}: {}", report.resource(), e.toString());
              }
            }),
        Clock.systemUTC(), Settings.from(config));
  }

  /** Sweeps now, then every interval, on a thread of its own. */
  public void start() {
    sweeps.start();
    log.info("sweeping for orphans every {} (grace {}, {})", settings.interval(), settings.grace(),
        settings.purge() ? "removing them after the grace" : "reporting only: iota.orphans.purge=false");
  }

  private static void sweepFailed(Exception e) {
    if (e instanceof InterruptedException || e instanceof InterruptException) {
      // close() interrupted the sweep: it stopped, it did not fail.
      Thread.currentThread().interrupt();
    } else {
      log.warn("orphan sweep skipped: {}", e.toString());
    }
  }

  /** One sweep; returns the decision it acted on. */
  synchronized OrphanDecision.Result sweepOnce() throws Exception {
    long now = clock.millis();
    // Look first, then read the plan to its end: whatever the executor had applied when we looked
    // was committed by then, so the plan read afterwards has it, and a pod or znode that is just
    // being created is not taken for an orphan even for one sweep.
    List<Observed> observed = new ArrayList<>(pods.list());
    observed.addAll(znodes.list(Set.copyOf(types)));
    Set<String> planned = plan.planned(settings.planTimeout());
    OrphanDecision.Result result = decision.decide(planned, observed, firstSeen, now);
    for (Orphan o : result.orphans()) {
      if (!firstSeen.containsKey(o.observed().key())) {
        log.warn("orphan {} {} ({}): belongs to no planned instance; {}", o.observed().kind(), o.observed().name(), o.observed().resource(),
            settings.purge() ? "removed from " + Instant.ofEpochMilli(o.dueAt()) + " unless planned by then" : "reported only");
      }
    }
    for (Observed f : result.foreign()) {
      if (foreignSeen.add(f.key())) {
        log.warn("{} {} belongs to no configured resource type ({}); left alone", f.kind(), f.name(), f.resource() == null ? "none" : f.resource());
      }
    }
    Set<String> removed = new HashSet<>();
    if (settings.purge()) {
      for (Orphan o : result.due()) {
        if (removeFenced(o.observed())) {
          removed.add(o.observed().key());
          purged.merge(o.observed().resource(), 1L, Long::sum);
          log.info("removed orphan {} {} ({}), an orphan since {}", o.observed().kind(), o.observed().name(), o.observed().resource(),
              Instant.ofEpochMilli(o.firstSeen()));
        }
      }
    }
    Map<String, Long> next = new HashMap<>(result.firstSeen());
    removed.forEach(next::remove);
    firstSeen = Map.copyOf(next);
    Map<String, List<Orphan>> byType = OrphanDecision.byType(result.orphans());
    for (String type : types) {
      List<OrphanReport.Entry> entries = new ArrayList<>();
      for (Orphan o : byType.getOrDefault(type, List.of())) {
        if (!removed.contains(o.observed().key())) {
          entries.add(OrphanReport.Entry.of(o));
        }
      }
      String held = result.heldTypes().contains(type) ? "the plan has no instance of " + type + " yet; nothing of it is removed until it has" : null;
      sink.publish(new OrphanReport(type, now, settings.purge(), settings.grace().toMillis(), held, entries, purged.getOrDefault(type, 0L)));
    }
    return result;
  }

  /** The fenced removal: see the class comment. */
  private boolean removeFenced(Observed judged) throws Exception {
    applying.lockInterruptibly();
    try {
      Set<String> fresh = plan.planned(settings.planTimeout());
      if (judged.kind() == Observed.Kind.pod) {
        Pod pod = pods.current(judged.name());
        if (pod == null) {
          return false;
        }
        Observed now = OrphanPods.observed(pod);
        if (!Objects.equals(now.identity(), judged.identity()) || !decision.stillRemovable(fresh, now)) {
          log.info("orphan pod {} is no longer one; kept", judged.name());
          return false;
        }
        return pods.remove(judged, pod) == OrphanPods.Removal.REMOVED;
      }
      if (!Objects.equals(znodes.identity(judged.name()), judged.identity()) || !decision.stillRemovable(fresh, judged)) {
        log.info("orphan znode {} is no longer one; kept", judged.name());
        return false;
      }
      return znodes.remove(judged);
    } finally {
      applying.unlock();
    }
  }

  /** Interrupts a sweep in progress (its plan read and its wait for the apply lock give way) and stops. */
  @Override
  public void close() {
    sweeps.close();
    plan.close();
  }
}
