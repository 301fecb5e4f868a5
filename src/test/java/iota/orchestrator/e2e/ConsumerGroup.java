package iota.orchestrator.e2e;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * Who holds what in one consumer group, as the group coordinator says: what a test of static
 * membership must look at, since a killed member stays listed, holding its partitions, until it is
 * replaced under its identity or its session expires.
 */
final class ConsumerGroup implements AutoCloseable {
  private final Admin admin;
  private final String group;

  ConsumerGroup(String bootstrapServers, String group) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    this.admin = Admin.create(p);
    this.group = group;
  }

  /** One member: the coordinator's member id (new at every join), its static identity, its partitions. */
  record Member(String memberId, String instanceId, Set<TopicPartition> partitions) {}

  /** The members of a stable group by static identity ({@code "-"} for a dynamic one); empty while it rebalances. */
  Map<String, Member> stableMembers() throws ExecutionException, InterruptedException {
    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    Map<String, Member> out = new TreeMap<>();
    if (d.groupState() != GroupState.STABLE) {
      return out;
    }
    for (MemberDescription m : d.members()) {
      out.put(m.groupInstanceId().orElse("-"), new Member(m.consumerId(), m.groupInstanceId().orElse("-"), m.assignment().topicPartitions()));
    }
    return out;
  }

  /** Every partition the stable group's members hold. */
  static Set<TopicPartition> held(Map<String, Member> members) {
    Set<TopicPartition> out = new HashSet<>();
    members.values().forEach(m -> out.addAll(m.partitions()));
    return out;
  }

  @Override
  public void close() {
    admin.close();
  }
}
