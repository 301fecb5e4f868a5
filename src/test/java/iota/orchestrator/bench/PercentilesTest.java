package iota.orchestrator.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The benchmarks' one percentile definition: the nearest rank. */
class PercentilesTest {

  @Test
  void medianOfAnOddCountIsTheMiddleValue() {
    assertEquals(30, Percentiles.of(50, 10, 30, 40, 20).median());
    assertEquals(2, Percentiles.of(3, 1, 2).median());
  }

  @Test
  void percentileIsTheSmallestValueThatManyValuesAreAtOrBelow() {
    long[] values = new long[100];
    for (int i = 0; i < values.length; i++) {
      values[i] = i + 1;
    }
    Percentiles p = Percentiles.of(values);
    assertEquals(50, p.at(50));
    assertEquals(99, p.at(99));
    assertEquals(100, p.max());
    assertEquals(100, p.count());
  }

  @Test
  void largeValuesKeepThreeSignificantDigits() {
    Percentiles p = Percentiles.of(12_345_678L);
    assertEquals(12_345_678L, p.median(), 12_345_678L / 1000.0);
  }

  @Test
  void nothingRecordedReadsAsZero() {
    Percentiles p = new Percentiles();
    assertEquals(0, p.count());
    assertEquals(0, p.median());
    assertEquals(0, p.max());
  }
}
