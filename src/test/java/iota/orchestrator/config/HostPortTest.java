package iota.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void acceptsHostNamesIpv4AndBracketedIpv6() {
    assertEquals(new HostPort("127.0.0.1", 7070), HostPort.parse("127.0.0.1:7070"));
    assertEquals("orchestrator-0.orchestrator.iota.svc:7070", HostPort.parse("orchestrator-0.orchestrator.iota.svc:7070").authority());
    assertEquals("[::1]:7070", HostPort.parse("[::1]:7070").authority());
    assertEquals(65535, HostPort.parse("a:65535").port());
  }

  @Test
  void refusesAnythingThatCouldPointTheUrlElsewhere() {
    for (String bad :
        List.of(
            "user@host:7070", "user:pw@host:7070", "host/path:7070", "host:7070/path", "host:7070?x", "host#x:7070", "ho st:7070", "host%2f:7070",
            "host:0", "host:65536", "host:-1", "host:", ":7070", "host", "::1:7070", "[host]:7070", "-host:7070", "host-.x:7070", "a..b:7070",
            "http://host:7070", "host:7070:80")) {
      assertThrows(IllegalArgumentException.class, () -> HostPort.parse(bad), bad);
    }
    assertTrue(HostPort.problem("host", 70000).startsWith("port"));
  }

  @Test
  void configRefusesAnInvalidAdvertisedAddressNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> OrchestratorConfig.of(Map.of("iota.application.server", "admin@10.0.0.1:7070")));
    assertTrue(e.getMessage().startsWith("iota.application.server: "), e.getMessage());
  }
}
