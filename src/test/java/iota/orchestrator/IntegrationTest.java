package iota.orchestrator;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test that starts a server: an in-JVM Kafka, ZooKeeper, MQTT broker, Connect worker,
 * mock Kubernetes, HTTP server, a browser or a child JVM. Such a test costs seconds of both
 * cores, so the fast layer ({@code mvn -B test -Pfast}) leaves it out; a new test without a
 * server needs no tag and runs in both layers. {@link TestLayersTest} fails when a test class
 * starts a server without this mark.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(IntegrationTest.TAG)
public @interface IntegrationTest {
  /** The JUnit tag the annotation stands for, as named in pom.xml's profile {@code fast}. */
  String TAG = "integration";
}
