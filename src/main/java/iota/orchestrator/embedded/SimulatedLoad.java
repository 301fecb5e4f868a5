package iota.orchestrator.embedded;

import iota.orchestrator.api.SimulationControl;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * The SIMULATED load model of the simulated worker fleet: a Running pod uses an idle base plus the
 * sum of the loads of the resources its instance serves, times a little noise. By default every
 * resource costs {@value #DEFAULT_CPU_MILLIS}m CPU and {@value #DEFAULT_MEMORY_MIB} MiB, and a pod's
 * idle base is {@value #IDLE_CPU_MILLIS}m and {@value #IDLE_MEMORY_MIB} MiB, so the default pools sit
 * below their targets. Loads change at run time through {@link SimulationControl} (REST).
 *
 * <p>The noise is seeded, so a run with the same seed and the same calls yields the same usage; it
 * is a multiplicative Gaussian of the given relative standard deviation, cut at three deviations so
 * a usage never goes negative. Thread-safe: REST writes while the metrics API reads.
 */
public final class SimulatedLoad implements SimulationControl {
  public static final double DEFAULT_CPU_MILLIS = 0.2;
  public static final double DEFAULT_MEMORY_MIB = 0.05;
  public static final double IDLE_CPU_MILLIS = 50;
  public static final double IDLE_MEMORY_MIB = 96;
  /** The noise of embedded mode: 2 % of a pod's usage, one standard deviation. */
  public static final double DEFAULT_NOISE = 0.02;
  private static final double MIB = 1024 * 1024;

  /** What a pod uses. */
  public record Usage(double cpuMillis, double memoryBytes) {}

  private static final Load IDLE = new Load(IDLE_CPU_MILLIS, IDLE_MEMORY_MIB);
  private static final Load DEFAULT = new Load(DEFAULT_CPU_MILLIS, DEFAULT_MEMORY_MIB);

  private final Random random;
  private final double noise;
  private final Map<String, Load> defaults = new HashMap<>();
  private final Map<String, Map<String, Load>> own = new HashMap<>();

  /**
   * @param seed of the noise
   * @param noise relative standard deviation of a pod's usage, in [0, 0.3]; 0 for exact sums
   */
  public SimulatedLoad(long seed, double noise) {
    if (!(noise >= 0 && noise <= 0.3)) {
      throw new IllegalArgumentException("noise must be in [0, 0.3], got " + noise);
    }
    this.random = new Random(seed);
    this.noise = noise;
  }

  /** The usage of a Running pod of {@code resource} whose instance serves {@code resourceIds}. */
  public synchronized Usage usage(String resource, Collection<String> resourceIds) {
    Load perResource = defaults.getOrDefault(resource, DEFAULT);
    Map<String, Load> mine = own.getOrDefault(resource, Map.of());
    double cpu = IDLE.cpuMillis();
    double memory = IDLE.memoryMiB();
    for (String id : resourceIds) {
      Load l = mine.getOrDefault(id, perResource);
      cpu += l.cpuMillis();
      memory += l.memoryMiB();
    }
    return new Usage(cpu * factor(), memory * MIB * factor());
  }

  private double factor() {
    if (noise == 0) {
      return 1;
    }
    return 1 + noise * Math.max(-3, Math.min(3, random.nextGaussian()));
  }

  @Override
  public synchronized Settings setDefault(String resource, Load load) {
    defaults.put(Objects.requireNonNull(resource), Objects.requireNonNull(load));
    return settings(resource);
  }

  @Override
  public synchronized Settings setResource(String resource, String id, Load load) {
    own.computeIfAbsent(Objects.requireNonNull(resource), r -> new HashMap<>()).put(Objects.requireNonNull(id), Objects.requireNonNull(load));
    return settings(resource);
  }

  /** A type's settings now. */
  public synchronized Settings settings(String resource) {
    return new Settings(resource, IDLE, defaults.getOrDefault(resource, DEFAULT),
        java.util.Collections.unmodifiableMap(new TreeMap<>(own.getOrDefault(resource, Map.of()))));
  }
}
