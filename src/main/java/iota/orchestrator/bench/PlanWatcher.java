package iota.orchestrator.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Watches the whole plan tree and notes when each expected {@code <Type>:<id>} first appears in a
 * {@code resources} znode. Ids are streamed out of the JSON without building a tree, since every
 * change of an instance carries all of its ids.
 */
final class PlanWatcher implements AutoCloseable {
  static final JsonFactory JSON = new JsonFactory();

  private final CuratorFramework client;
  private final CuratorCache cache;
  /** Per type, the ids still awaited and their index. */
  private final Map<String, Map<String, Integer>> expected = new ConcurrentHashMap<>();
  private volatile AtomicLongArray publishedAt = new AtomicLongArray(0);
  volatile AtomicLongArray publishedWall = new AtomicLongArray(0);
  volatile long[] seenWall = new long[0];
  /** ZooKeeper's own modification time of the znode in which each id first appeared. */
  volatile long[] writtenWall = new long[0];
  private volatile long[] latencies = new long[0];
  private volatile CountDownLatch done = new CountDownLatch(0);

  PlanWatcher(String connectString, String root) {
    client = CuratorFrameworkFactory.newClient(connectString, new ExponentialBackoffRetry(100, 5));
    client.start();
    cache = CuratorCache.build(client, root);
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((before, node) -> onData(node, System.nanoTime(), System.currentTimeMillis()))
        .build());
    cache.start();
  }

  /**
   * Expects {@code keys} ({@code <Type>:<id>}); the latency of key i goes to {@code latencies[i]}
   * once {@link #published} gave its publish time. The latch counts down once per key seen.
   */
  synchronized CountDownLatch expect(List<String> keys, long[] latencies) {
    expected.clear();
    this.publishedAt = new AtomicLongArray(keys.size());
    this.publishedWall = new AtomicLongArray(keys.size());
    this.seenWall = new long[keys.size()];
    this.writtenWall = new long[keys.size()];
    this.latencies = latencies;
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      int colon = key.indexOf(':');
      expected.computeIfAbsent(key.substring(0, colon), t -> new ConcurrentHashMap<>()).put(key.substring(colon + 1), i);
    }
    done = new CountDownLatch(keys.size());
    return done;
  }

  void published(int index, long nanos, long wallMillis) {
    publishedAt.set(index, nanos);
    publishedWall.set(index, wallMillis);
  }

  private void onData(ChildData node, long now, long wallNow) {
    String path = node.getPath();
    if (!path.endsWith("/resources") || node.getData() == null) {
      return;
    }
    // <root>/<Type>/<id>/resources
    String[] parts = path.split("/");
    Map<String, Integer> awaited = expected.get(parts[parts.length - 3]);
    if (awaited == null || awaited.isEmpty()) {
      return;
    }
    try (JsonParser p = JSON.createParser(node.getData())) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        // Nearly every id of a busy instance was seen before: look it up, which takes no lock,
        // before removing it. (The watcher shares the platform's two cores.)
        String id = t == JsonToken.VALUE_STRING ? p.getText() : null;
        if (id != null && awaited.get(id) != null) {
          Integer index = awaited.remove(id);
          if (index != null) {
            long published = publishedAt.get(index);
            if (published > 0) {
              latencies[index] = now - published;
            }
            seenWall[index] = wallNow;
            writtenWall[index] = node.getStat().getMtime();
            done.countDown();
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable " + path, e);
    }
  }

  @Override
  public void close() {
    cache.close();
    client.close();
  }
}
