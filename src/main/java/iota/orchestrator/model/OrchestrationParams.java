package iota.orchestrator.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The orchestration parameters of one resource type (DESIGN.md §2). In a request every field is
 * optional; {@link #withDefaults} fills the missing ones from the type's configured defaults.
 *
 * <p>Request ranges are the original's: {@code maxInstances} in [3, 100), {@code
 * resourcePerInstance} in (0, 5000), {@code initInstances} in [1, 100) and at most {@code
 * maxInstances}. The configured defaults (100 and 5000) sit on the open ends on purpose: they are
 * what applies when a request leaves the field out.
 */
public record OrchestrationParams(Integer maxInstances, Integer resourcePerInstance, Integer initInstances) {

  public static final int MAX_INSTANCES_MIN = 3;
  public static final int MAX_INSTANCES_LIMIT = 100;
  public static final int RESOURCE_PER_INSTANCE_LIMIT = 5000;
  public static final int INIT_INSTANCES_MIN = 1;
  public static final int INIT_INSTANCES_LIMIT = 100;

  public static final OrchestrationParams EMPTY = new OrchestrationParams(null, null, null);

  /** Problems of the given values, each naming the field and its valid range; empty when valid. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (maxInstances != null && (maxInstances < MAX_INSTANCES_MIN || maxInstances >= MAX_INSTANCES_LIMIT)) {
      problems.add("maxInstances must be in [" + MAX_INSTANCES_MIN + ", " + MAX_INSTANCES_LIMIT + "), got " + maxInstances);
    }
    if (resourcePerInstance != null && (resourcePerInstance <= 0 || resourcePerInstance >= RESOURCE_PER_INSTANCE_LIMIT)) {
      problems.add("resourcePerInstance must be in (0, " + RESOURCE_PER_INSTANCE_LIMIT + "), got " + resourcePerInstance);
    }
    if (initInstances != null && (initInstances < INIT_INSTANCES_MIN || initInstances >= INIT_INSTANCES_LIMIT)) {
      problems.add("initInstances must be in [" + INIT_INSTANCES_MIN + ", " + INIT_INSTANCES_LIMIT + "), got " + initInstances);
    }
    return problems;
  }

  /** The effective parameters: given values over the defaults; checks {@code initInstances <= maxInstances}. */
  public Sizing withDefaults(Sizing defaults) {
    Sizing s =
        new Sizing(
            initInstances != null ? initInstances : defaults.initInstances(),
            maxInstances != null ? maxInstances : defaults.maxInstances(),
            resourcePerInstance != null ? resourcePerInstance : defaults.resourcePerInstance());
    if (s.initInstances() > s.maxInstances()) {
      throw new InvalidRecordException(
          "initInstances must be at most maxInstances (" + s.maxInstances() + "), got " + s.initInstances());
    }
    return s;
  }

  /** Complete parameters: every field set. */
  public record Sizing(int initInstances, int maxInstances, int resourcePerInstance) {}
}
