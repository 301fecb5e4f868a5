package iota.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table and {@link ConfigKeys} say the same: every declared key is in
 * the table with its default, and every key in the table is declared.
 *
 * <p>The table groups related keys in one row ({@code `a`, `b` | 1, 2}, or {@code `x.init` /
 * `.max` | 10 / 100}), may follow a default with a remark in parentheses, and writes a per-type
 * default as {@code Thing: `iota-dac`, Rule: `iota-rules-engine`}; "—" is no default.
 */
class ReadmeConfigTableTest {
  private static final List<String> BUILT_IN_TYPES = List.of("Thing", "Rule");
  private static final Pattern PER_TYPE = Pattern.compile("(\\w+): (`[^`]*`|[^,\\s]+)");

  /** Key (templated keys with {@code <type>}) to its default cell, as written for that key. */
  private static Map<String, String> table;

  @BeforeAll
  static void readTable() throws IOException {
    table = parse(Files.readAllLines(Path.of("README.md")));
  }

  static Map<String, String> parse(List<String> readme) {
    int section = readme.indexOf("## Configuration");
    assertTrue(section >= 0, "README.md has no '## Configuration' section");
    Map<String, String> rows = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : readme.subList(section + 1, readme.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (!line.startsWith("|")) {
        if (inTable) break;
        continue;
      }
      inTable = true;
      String[] cells = line.split("(?<!\\\\)\\|");
      String keyCell = cells[1].trim();
      if (!keyCell.startsWith("`")) {
        continue; // the header and its rule
      }
      String separator = keyCell.contains(" / ") ? " / " : ", ";
      List<String> keys = keys(keyCell, separator);
      String defaults = cells[2].trim().replaceFirst("\\s*\\([^)]*\\)$", "");
      List<String> perKey = keys.size() == 1 ? List.of(defaults) : List.of(defaults.split(Pattern.quote(separator)));
      if (perKey.size() == 1) {
        keys.forEach(k -> rows.put(k, perKey.get(0)));
      } else if (perKey.size() == keys.size()) {
        for (int i = 0; i < keys.size(); i++) {
          rows.put(keys.get(i), perKey.get(i).trim());
        }
      } else {
        fail("README row of " + keys + ": " + perKey.size() + " defaults for " + keys.size() + " keys");
      }
    }
    return rows;
  }

  /** {@code `iota.resource.<type>.init.instances` / `.max.instances`} names two keys. */
  private static List<String> keys(String cell, String separator) {
    List<String> keys = new ArrayList<>();
    String base = null;
    for (String token : cell.split(Pattern.quote(separator))) {
      String key = token.trim().replace("`", "");
      if (key.startsWith(".") && base != null) {
        key = base + key;
      } else {
        int type = key.indexOf(TypeKey.TYPE);
        base = type >= 0 ? key.substring(0, type + TypeKey.TYPE.length()) : key.substring(0, key.lastIndexOf('.'));
      }
      keys.add(key);
    }
    return keys;
  }

  /** The default as the README writes it, without backticks; null for "—". */
  private static String value(String written) {
    String v = written.trim().replace("`", "");
    return v.equals("—") ? null : v;
  }

  /** An empty default is written "—" in the table. */
  private static String expected(String defaultText) {
    return defaultText == null || defaultText.isEmpty() ? null : defaultText;
  }

  @Test
  void everyDeclaredKeyIsInTheTableWithItsDefault() {
    for (ConfigKey<?> key : ConfigKeys.scalar()) {
      assertTrue(table.containsKey(key.name()), key.name() + " is declared but not in the README's configuration table");
      assertEquals(expected(key.defaultText()), value(table.get(key.name())), key.name() + ": default in the README");
    }
  }

  @Test
  void everyPerTypeKeyIsInTheTableWithTheDefaultOfEachBuiltInType() {
    for (TypeKey<?> key : ConfigKeys.perType()) {
      String cell = table.get(key.template());
      assertTrue(cell != null, key.template() + " is declared but not in the README's configuration table");
      Map<String, String> byType = new LinkedHashMap<>();
      Matcher m = PER_TYPE.matcher(cell);
      while (m.find()) {
        byType.put(m.group(1), m.group(2));
      }
      for (String type : BUILT_IN_TYPES) {
        String written = byType.isEmpty() ? cell : byType.getOrDefault(type, "—");
        assertEquals(expected(key.of(type).defaultText()), value(written), key.template() + ": default of " + type + " in the README");
      }
    }
  }

  @Test
  void everyKeyInTheTableIsDeclared() {
    assertFalse(table.isEmpty(), "no keys found in the README's configuration table");
    for (String key : table.keySet()) {
      boolean declared = ConfigKeys.scalar(key) != null
          || ConfigKeys.perType().stream().anyMatch(k -> k.template().equals(key));
      assertTrue(declared, key + " is in the README's configuration table but not declared in ConfigKeys");
    }
  }

  @Test
  void groupedRowsAndRemarksAreReadKeyByKey() {
    Map<String, String> rows = parse(List.of(
        "## Configuration",
        "| key | default | |",
        "|---|---|---|",
        "| `iota.a.b`, `iota.a.c` | —, `/x` | |",
        "| `iota.resource.<type>.x.y` / `.z` | 10 / 100 | |",
        "| `iota.d` | 67108864 (64 MiB) | a \\| b |",
        "",
        "| `iota.not.this.table` | 1 | |"));
    assertEquals(Map.of("iota.a.b", "—", "iota.a.c", "`/x`", "iota.resource.<type>.x.y", "10", "iota.resource.<type>.z", "100",
        "iota.d", "67108864"), rows);
  }
}
