package iota.orchestrator;

import iota.orchestrator.model.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * Watches the {@code resources} znode of every instance of one type and records each moment at
 * which an id once placed is on no instance: what make-before-break must never let happen.
 */
public final class PlacedIds implements AutoCloseable {
  private final String typePath;
  private final Map<String, List<String>> byInstance = new ConcurrentHashMap<>();
  private final Set<String> everPlaced = ConcurrentHashMap.newKeySet();
  private final List<String> missing = Collections.synchronizedList(new ArrayList<>());
  private final CuratorCache cache;

  /** @param typePath the type's znode, {@code <root>/<Type>}; watching starts at once */
  public PlacedIds(CuratorFramework client, String typePath) {
    this.typePath = typePath;
    cache = CuratorCache.build(client, typePath);
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((old, node) -> seen(node))
        .forDeletes(node -> {
          byInstance.remove(node.getPath());
          check(node.getPath());
        })
        .build());
    cache.start();
  }

  /** Each moment an id was on no instance (and each znode that could not be read), oldest first. */
  public List<String> missing() {
    synchronized (missing) {
      return List.copyOf(missing);
    }
  }

  /** True once the cache shows {@code id} on {@code instance}. */
  public boolean shows(String instance, String id) {
    List<String> ids = byInstance.get(typePath + "/" + instance + "/resources");
    return ids != null && ids.contains(id);
  }

  private void seen(ChildData node) {
    if (!node.getPath().endsWith("/resources")) {
      return;
    }
    try {
      List<String> ids = new ArrayList<>();
      Json.MAPPER.readTree(node.getData()).get("ids").forEach(n -> ids.add(n.asText()));
      byInstance.put(node.getPath(), ids);
      everPlaced.addAll(ids);
    } catch (IOException e) {
      // Recorded, not thrown: the cache's listener would swallow it and the watch go blind.
      missing.add("unreadable " + node.getPath());
    }
    check(node.getPath());
  }

  private synchronized void check(String after) {
    Set<String> placed = new HashSet<>();
    byInstance.values().forEach(placed::addAll);
    for (String id : everPlaced) {
      if (!placed.contains(id)) {
        missing.add(id + " after a change of " + after + ": " + byInstance);
      }
    }
  }

  @Override
  public void close() {
    cache.close();
  }
}
