package iota.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigKeysTest {
  @Test
  void everyDefaultPassesItsOwnCheckAndReadsBackAsItself() {
    for (ConfigKey<?> key : ConfigKeys.scalar()) {
      if (key.defaultText() != null && !key.defaultText().isEmpty()) {
        assertEquals(key.defaultValue(), key.valueOf(key.defaultText()), key.name());
      }
    }
    for (TypeKey<?> template : ConfigKeys.perType()) {
      for (String type : List.of("Thing", "Rule", "Gateway")) {
        ConfigKey<?> key = template.of(type);
        if (key.defaultText() != null && !key.defaultText().isEmpty()) {
          assertEquals(key.defaultValue(), key.valueOf(key.defaultText()), key.name());
        }
      }
    }
  }

  @Test
  void durationsAreWrittenInTheirLargestWholeUnit() {
    assertEquals("100ms", ConfigKey.formatDuration(Duration.ofMillis(100)));
    assertEquals("90s", ConfigKey.formatDuration(Duration.ofSeconds(90)));
    assertEquals("5m", ConfigKey.formatDuration(Duration.ofSeconds(300)));
    assertEquals("2h", ConfigKey.formatDuration(Duration.ofMinutes(120)));
  }

  @Test
  void aPerTypeKeyIsNamedForTheTypeInLowerCaseWithThatTypesDefault() {
    ConfigKey<String> thing = ConfigKeys.INSTANCE_NAME.of("Thing");
    assertEquals("iota.resource.thing.instance.name", thing.name());
    assertEquals("IOTA_RESOURCE_THING_INSTANCE_NAME", thing.environmentVariable());
    assertEquals("iota-dac", thing.defaultValue());
    assertNull(ConfigKeys.INSTANCE_NAME.of("Gateway").defaultValue());
    assertEquals("iota.resource.<type>.instance.name", ConfigKeys.INSTANCE_NAME.template());
  }

  @Test
  void aBlankValueFailsItsCheckExceptForATypesKeyWhereItMeansTheTypesDefault() {
    assertEquals("iota.heartbeat.timeout: expected a duration such as 90s, 250ms or 5m, got ' '",
        assertThrows(ConfigException.class, () -> ConfigKeys.HEARTBEAT_TIMEOUT.valueOf(" ")).getMessage());
    assertEquals("", ConfigKeys.CORS_ORIGINS.valueOf(""));
    assertEquals(100, ConfigKeys.MAX_INSTANCES.of("Thing").valueOf(" "));
  }
}
