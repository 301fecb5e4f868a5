package iota.orchestrator.executor;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Curator client of the executor from the configuration: connect string, digest
 * authentication ({@code iota.zookeeper.auth = user:password}), the ACLs of the znodes it creates and
 * a bounded exponential retry policy.
 *
 * <p>With authentication the znodes get {@code CREATOR_ALL} (only the orchestrator's digest identity
 * may change or delete them) plus {@code READ} for everyone, because the workers read the plan
 * without credentials. Without authentication Curator's default would create world-writable znodes
 * silently; we still allow it (a laptop, embedded mode) but say so once at WARN.
 */
public final class ZooKeeperClients {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperClients.class);
  private static final AtomicBoolean OPEN_ACL_WARNED = new AtomicBoolean();

  /** Connection timeout: short enough that an outage is noticed within a poll round. */
  static final int CONNECTION_TIMEOUT_MS = 5_000;

  static final int SESSION_TIMEOUT_MS = 30_000;

  private ZooKeeperClients() {}

  /** A started client for {@code iota.zookeeper.connect}; the caller closes it. */
  public static CuratorFramework create(OrchestratorConfig config) {
    String auth = config.get(ConfigKeys.ZOOKEEPER_AUTH);
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(config.require(ConfigKeys.ZOOKEEPER_CONNECT))
            .connectionTimeoutMs(CONNECTION_TIMEOUT_MS)
            .sessionTimeoutMs(SESSION_TIMEOUT_MS)
            // Each operation retries a few times inside Curator; a longer outage is the executor's
            // business (it keeps the batch and retries without counting attempts).
            .retryPolicy(new ExponentialBackoffRetry(200, 3, 2_000))
            .aclProvider(aclProvider(auth != null));
    if (auth != null) {
      builder.authorization("digest", auth.getBytes(StandardCharsets.UTF_8));
    } else {
      warnOpenAcl();
    }
    CuratorFramework client = builder.build();
    client.start();
    return client;
  }

  /**
   * The ACLs for every znode the executor creates: creator-all plus world-read when the client is
   * authenticated, otherwise open (the only ACL an unauthenticated creator can use).
   */
  public static ACLProvider aclProvider(boolean authenticated) {
    List<ACL> acl;
    if (authenticated) {
      acl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
      acl.addAll(ZooDefs.Ids.READ_ACL_UNSAFE);
    } else {
      acl = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }
    // Not List.copyOf: ZooKeeper asks the list contains(null), which immutable lists answer with an NPE.
    List<ACL> fixed = Collections.unmodifiableList(new ArrayList<>(acl));
    return new ACLProvider() {
      @Override
      public List<ACL> getDefaultAcl() {
        return fixed;
      }

      @Override
      public List<ACL> getAclForPath(String path) {
        return fixed;
      }
    };
  }

  /** Logs once per JVM that the plan is world-writable because no credentials are configured. */
  static void warnOpenAcl() {
    if (OPEN_ACL_WARNED.compareAndSet(false, true)) {
      log.warn(
          "iota.zookeeper.auth is not set: the orchestration znodes are created with an open ACL, so any"
              + " ZooKeeper client can change or delete the plan. Set iota.zookeeper.auth=user:password"
              + " (digest) in production.");
    }
  }
}
