package iota.orchestrator.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.executor.ZooKeeperApplier;
import iota.orchestrator.model.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;

/**
 * Every sequence the executor writes into ZooKeeper's {@code .seq} nodes, in the order they were
 * written. The applier writes a sequence only when it is newer than the stored one, so each node's
 * list must rise strictly: a repeat would be an assignment applied twice, a fall an older state
 * written over a newer one.
 */
final class AppliedSequences implements AutoCloseable {
  private final Map<String, List<Long>> seen = new ConcurrentHashMap<>();
  private final CuratorCache cache;

  AppliedSequences(CuratorFramework client, String root) {
    String seqRoot = ZKPaths.makePath(root, ZooKeeperApplier.SEQ_DIR);
    cache = CuratorCache.build(client, seqRoot);
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((before, node) -> {
          if (!node.getPath().equals(seqRoot) && node.getData() != null && node.getData().length > 0) {
            long seq = Json.tree(node.getData()).get("seq").asLong();
            seen.computeIfAbsent(node.getPath(), p -> Collections.synchronizedList(new ArrayList<>())).add(seq);
          }
        })
        .build());
    cache.start();
  }

  /** Fails unless something was written and every node's sequences rose strictly. */
  void assertEachAppliedOnceInOrder() {
    assertFalse(seen.isEmpty(), "no sequence was written");
    seen.forEach((path, seqs) -> {
      List<Long> copy;
      synchronized (seqs) {
        copy = new ArrayList<>(seqs);
      }
      for (int i = 1; i < copy.size(); i++) {
        assertTrue(copy.get(i) > copy.get(i - 1), path + " was written " + copy + ": not strictly rising");
      }
    });
  }

  @Override
  public void close() {
    cache.close();
  }
}
