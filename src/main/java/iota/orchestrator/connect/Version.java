package iota.orchestrator.connect;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version Connect reports for our connector: the jar's, as Maven recorded it. */
final class Version {
  private static final String VERSION = find();

  private Version() {}

  static String get() {
    return VERSION;
  }

  private static String find() {
    String fromManifest = Version.class.getPackage().getImplementationVersion();
    if (fromManifest != null) {
      return fromManifest;
    }
    // The jar plugin always writes pom.properties, and the shaded jar keeps it; the manifest
    // carries Implementation-Version only when a build asks for it.
    try (InputStream in = Version.class.getResourceAsStream("/META-INF/maven/iota/iota-orchestrator/pom.properties")) {
      if (in != null) {
        Properties props = new Properties();
        props.load(in);
        return props.getProperty("version", "unknown");
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }
}
