package iota.orchestrator.bench;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of measured values (latencies in ns, repetitions in ms, rates), one definition for
 * every benchmark: the nearest rank, the smallest value at least {@code p} % of the values are at
 * or below. Backed by an HdrHistogram at three significant digits, so a value is exact up to 2,047
 * and within 0.1 % above; it grows to the largest value recorded and records in constant time,
 * which a load generator's hot loop needs.
 */
final class Percentiles {
  private static final int SIGNIFICANT_DIGITS = 3;

  private final Histogram histogram = new Histogram(SIGNIFICANT_DIGITS);

  /** The percentiles of {@code values}, none of them negative. */
  static Percentiles of(long... values) {
    Percentiles p = new Percentiles();
    for (long v : values) {
      p.record(v);
    }
    return p;
  }

  void record(long value) {
    histogram.recordValue(value);
  }

  long count() {
    return histogram.getTotalCount();
  }

  /** The value at {@code percentile} (0 to 100); 0 when nothing was recorded. */
  long at(double percentile) {
    return histogram.getValueAtPercentile(percentile);
  }

  long median() {
    return at(50);
  }

  /** The largest value recorded; 0 when nothing was. */
  long max() {
    return count() == 0 ? 0 : histogram.getMaxValue();
  }
}
