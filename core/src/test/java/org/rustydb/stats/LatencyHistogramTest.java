package org.rustydb.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rustydb.testing.Seeds;

class LatencyHistogramTest {

  @Test
  void bucketsCoverEveryValueAndAreOrdered() {
    long[] probes = {0, 1, 31, 32, 33, 63, 64, 65, 1000, 123_456_789L, 1L << 40, Long.MAX_VALUE};
    for (long v : probes) {
      int b = LatencyHistogram.bucketOf(v);
      assertThat(b).isBetween(0, LatencyHistogram.BUCKETS - 1);
      assertThat(LatencyHistogram.lowestInBucket(b)).as("low of %d", v).isLessThanOrEqualTo(v);
      assertThat(LatencyHistogram.highestInBucket(b)).as("high of %d", v).isGreaterThanOrEqualTo(v);
    }
    for (int b = 1; b < LatencyHistogram.BUCKETS; b++) {
      assertThat(LatencyHistogram.lowestInBucket(b)).isEqualTo(LatencyHistogram.highestInBucket(b - 1) + 1);
    }
  }

  @Test
  void percentilesAreWithinThreePercentOfTheExactOnes() {
    long seed = Seeds.of("LatencyHistogramTest", "rustydb.test.seed");
    Random r = new Random(seed);
    LatencyHistogram h = new LatencyHistogram();
    long[] values = new long[20_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(r.nextDouble() * 20); // 1 ns .. ~0.5 s, log-uniform
      h.record(values[i]);
    }
    Arrays.sort(values);
    assertThat(h.count()).isEqualTo(values.length);
    for (double p : new double[] {50, 90, 99, 99.9, 100}) {
      long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
      long got = h.valueAtPercentile(p);
      assertThat(got).as("p%s seed %d", p, seed).isBetween(exact, exact + exact / 32 + 1);
    }
    assertThat(h.max()).isEqualTo(values[values.length - 1]);
    h.reset();
    assertThat(h.count()).isZero();
    assertThat(h.valueAtPercentile(50)).isZero();
  }

  @Test
  void badPercentilesAreRefused() {
    assertThatThrownBy(() -> new LatencyHistogram().valueAtPercentile(101))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
