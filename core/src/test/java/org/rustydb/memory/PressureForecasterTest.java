package org.rustydb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class PressureForecasterTest {

  /** Feeds usage(i) at i seconds, i = 0 .. n-1, and returns the last forecast. */
  private static Forecast feed(PressureForecaster f, int n, IntToDoubleFunction usage) {
    Forecast last = null;
    for (int i = 0; i < n; i++) last = f.sample(i * 1000L, usage.applyAsDouble(i)).orElse(null);
    return last;
  }

  @Test
  void needsTwoSamples() {
    PressureForecaster f = new PressureForecaster();
    assertThat(f.sample(0, 50)).isEmpty();
    assertThat(f.sample(1000, 50)).isPresent();
  }

  @Test
  void risingGently() {
    // 10, 11, ... 30: one point per sample, 65 s from critical (95%).
    Forecast f = feed(new PressureForecaster(), 21, i -> 10 + i);
    assertThat(f.currentUsage()).isEqualTo(30.0);
    assertThat(f.slopePerSample()).isCloseTo(1.0, offset(1e-9));
    assertThat(f.predicted30s()).isCloseTo(60.0, offset(1e-9));
    assertThat(f.predicted60s()).isCloseTo(90.0, offset(1e-9));
    assertThat(f.predicted120s()).isCloseTo(150.0, offset(1e-9));
    assertThat(f.trend()).isEqualTo(MemoryTrend.INCREASING);
    assertThat(f.timeToCritical()).contains(Duration.ofSeconds(65));
    assertThat(f.recommendedAction()).isEqualTo(RecommendedAction.GENTLE_EVICTION);
  }

  @Test
  void risingTowardCriticalWithinAMinute() {
    Forecast f = feed(new PressureForecaster(), 21, i -> 40 + i); // now 60, critical in 35 s
    assertThat(f.trend()).isEqualTo(MemoryTrend.INCREASING);
    assertThat(f.timeToCritical()).contains(Duration.ofSeconds(35));
    assertThat(f.recommendedAction()).isEqualTo(RecommendedAction.AGGRESSIVE_EVICTION);
  }

  @Test
  void risingFast() {
    Forecast f = feed(new PressureForecaster(), 11, i -> 10 + 3 * i); // now 40, 3 points a sample
    assertThat(f.trend()).isEqualTo(MemoryTrend.CRITICAL);
    assertThat(f.timeToCritical().orElseThrow().toMillis()).isEqualTo(18_333);
    assertThat(f.recommendedAction()).isEqualTo(RecommendedAction.EMERGENCY_CLEANUP);
    Forecast slow = feed(new PressureForecaster(), 2, i -> 3 * i); // now 3: critical in 30.7 s
    assertThat(slow.trend()).isEqualTo(MemoryTrend.CRITICAL);
    assertThat(slow.recommendedAction()).isEqualTo(RecommendedAction.AGGRESSIVE_EVICTION);
  }

  @Test
  void flat() {
    Forecast low = feed(new PressureForecaster(), 120, i -> 50 + (i % 2 == 0 ? 0.3 : -0.3));
    assertThat(low.trend()).isEqualTo(MemoryTrend.STABLE);
    assertThat(low.predicted120s()).isCloseTo(50.0, offset(0.5));
    assertThat(low.timeToCritical().map(d -> d.toHours() > 1).orElse(true)).isTrue();
    assertThat(low.recommendedAction()).isEqualTo(RecommendedAction.MONITOR);
    Forecast high = feed(new PressureForecaster(), 60, i -> 80);
    assertThat(high.trend()).isEqualTo(MemoryTrend.STABLE);
    assertThat(high.timeToCritical()).isEmpty();
    assertThat(high.recommendedAction()).isEqualTo(RecommendedAction.GENTLE_EVICTION);
    Forecast atCritical = feed(new PressureForecaster(), 10, i -> 96);
    assertThat(atCritical.timeToCritical()).contains(Duration.ZERO);
    assertThat(atCritical.recommendedAction()).isEqualTo(RecommendedAction.EMERGENCY_CLEANUP);
  }

  @Test
  void falling() {
    Forecast f = feed(new PressureForecaster(), 30, i -> 90 - i); // 90 down to 61
    assertThat(f.trend()).isEqualTo(MemoryTrend.DECREASING);
    assertThat(f.slopePerSample()).isCloseTo(-1.0, offset(1e-9));
    assertThat(f.timeToCritical()).isEmpty();
    assertThat(f.recommendedAction()).isEqualTo(RecommendedAction.MONITOR);
  }

  @Test
  void spiking() {
    // 100 s at 40%, then 5 s at 90%: the line barely tilts (stable), but usage now is high.
    Forecast f = feed(new PressureForecaster(), 105, i -> i < 100 ? 40 : 90);
    double slope = 0.12958739373833714; // least squares over x = 0..104, computed independently
    assertThat(f.slopePerSample()).isCloseTo(slope, offset(1e-9));
    assertThat(f.trend()).isEqualTo(MemoryTrend.STABLE);
    assertThat(f.currentUsage()).isEqualTo(90.0);
    assertThat(f.recommendedAction()).isEqualTo(RecommendedAction.AGGRESSIVE_EVICTION);
    assertThat(f.timeToCritical().orElseThrow().toMillis()).isCloseTo(354_051, offset(2L));
    Forecast over = feed(new PressureForecaster(), 105, i -> i < 100 ? 40 : 97);
    assertThat(over.recommendedAction()).isEqualTo(RecommendedAction.EMERGENCY_CLEANUP);
    assertThat(over.timeToCritical()).contains(Duration.ZERO);
  }

  @Test
  void windowKeepsTheLast120Samples() {
    PressureForecaster f = new PressureForecaster();
    Forecast last = feed(f, 200, i -> i < 80 ? 90 : 30); // the 90s have left the window
    assertThat(f.sampleCount()).isEqualTo(PressureForecaster.WINDOW);
    assertThat(last.samples()).isEqualTo(120);
    assertThat(last.trend()).isEqualTo(MemoryTrend.STABLE);
    assertThat(last.predicted60s()).isCloseTo(30.0, offset(1e-9));
    assertThat(last.recommendedAction()).isEqualTo(RecommendedAction.MONITOR);
  }

  @Test
  void trendBandsArePerSampleInterval() {
    PressureForecaster f = new PressureForecaster(Duration.ofSeconds(5));
    Forecast last = null;
    for (int i = 0; i < 10; i++) last = f.sample(i * 5000L, 10 + i).orElse(null); // 0.2 per second
    assertThat(last.slopePerSample()).isCloseTo(1.0, offset(1e-9));
    assertThat(last.trend()).isEqualTo(MemoryTrend.INCREASING);
  }

  @Test
  void trendBandEdges() {
    assertThat(PressureForecaster.classifyTrend(-0.51)).isEqualTo(MemoryTrend.DECREASING);
    assertThat(PressureForecaster.classifyTrend(-0.5)).isEqualTo(MemoryTrend.STABLE);
    assertThat(PressureForecaster.classifyTrend(0.5)).isEqualTo(MemoryTrend.STABLE);
    assertThat(PressureForecaster.classifyTrend(0.51)).isEqualTo(MemoryTrend.INCREASING);
    assertThat(PressureForecaster.classifyTrend(2.0)).isEqualTo(MemoryTrend.INCREASING);
    assertThat(PressureForecaster.classifyTrend(2.01)).isEqualTo(MemoryTrend.CRITICAL);
  }

  @Test
  void badSamplesAreRejected() {
    PressureForecaster f = new PressureForecaster();
    f.sample(1000, 10);
    assertThatThrownBy(() -> f.sample(1000, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.sample(2000, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.sample(2000, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PressureForecaster(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
