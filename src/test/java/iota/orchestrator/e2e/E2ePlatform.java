package iota.orchestrator.e2e;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.embedded.EmbeddedPlatform;
import java.util.Map;

/**
 * The embedded platform an end-to-end test class runs on, with the clients its tests talk to it
 * through: changes published over MQTT, the plan read from ZooKeeper and over REST.
 */
final class E2ePlatform implements AutoCloseable {
  final EmbeddedPlatform embedded;
  final ChangeFeed feed;
  final ZooKeeperPlan zookeeper;
  final Rest rest;

  private E2ePlatform(EmbeddedPlatform embedded, ChangeFeed feed) {
    this.embedded = embedded;
    this.feed = feed;
    this.zookeeper = new ZooKeeperPlan(embedded.ready().zookeeper(), root());
    this.rest = new Rest(embedded.ready().http(), embedded.apiToken());
  }

  /** Starts a platform with {@link E2e#config} plus {@code extra}, and connects the clients. */
  static E2ePlatform start(EmbeddedPlatform.Options options, Map<String, String> extra) {
    EmbeddedPlatform embedded = EmbeddedPlatform.start(options, E2e.config(extra));
    ChangeFeed feed = null;
    try {
      feed = new ChangeFeed(embedded.ready().mqtt());
      return new E2ePlatform(embedded, feed);
    } catch (RuntimeException e) {
      if (feed != null) {
        closeQuietly(feed, e);
      }
      embedded.close();
      throw e;
    }
  }

  /** The ZooKeeper root the executor writes the plan under. */
  String root() {
    return embedded.config().get(ConfigKeys.ZOOKEEPER_ROOT);
  }

  /**
   * Closes the clients and leaves the platform running: parts a test restarted on their own need
   * Kafka while they stop, so they stop between this and {@link EmbeddedPlatform#close()}.
   */
  void closeClients() throws Exception {
    try {
      feed.close();
    } finally {
      zookeeper.close();
    }
  }

  @Override
  public void close() throws Exception {
    try {
      closeClients();
    } finally {
      embedded.close();
    }
  }

  private static void closeQuietly(AutoCloseable client, RuntimeException failure) {
    try {
      client.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }
}
