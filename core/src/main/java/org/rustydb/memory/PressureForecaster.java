package org.rustydb.memory;

import java.time.Duration;
import java.util.Optional;

/**
 * The spec's memory pressure forecaster: keeps the last {@value #WINDOW} samples of memory usage (two
 * minutes at one sample a second), fits a least-squares line through them and forecasts usage 30, 60 and
 * 120 seconds ahead, classifies the trend, recommends an action and estimates the time until usage
 * reaches the critical level.
 *
 * <h2>The regression</h2>
 * Sample times are measured in seconds relative to the latest sample (the latest is at x = 0, older ones
 * negative), so the fitted intercept is the usage now and {@code intercept + slope * 30} — the spec's
 * formula — is the usage 30 seconds from now. The slope is converted to percentage points per sample
 * interval (one second by default) for the spec's trend bands: below -0.5 {@link MemoryTrend#DECREASING},
 * -0.5 to 0.5 {@link MemoryTrend#STABLE}, above 0.5 up to 2 {@link MemoryTrend#INCREASING}, above 2
 * {@link MemoryTrend#CRITICAL}.
 *
 * <h2>Thresholds (ours: the spec names the actions, not when to take them)</h2>
 * Critical usage is {@value #CRITICAL_PERCENT}% of the budget. With {@code now} the latest sample and
 * "reaches critical within T" meaning the regression line does:
 * <ul>
 *   <li>{@link RecommendedAction#EMERGENCY_CLEANUP}: now at or above {@value #CRITICAL_PERCENT}%, or
 *       reaches critical within 30 s;</li>
 *   <li>{@link RecommendedAction#AGGRESSIVE_EVICTION}: now at or above {@value #AGGRESSIVE_PERCENT}%, or
 *       reaches critical within 60 s, or the trend is {@link MemoryTrend#CRITICAL};</li>
 *   <li>{@link RecommendedAction#GENTLE_EVICTION}: now at or above {@value #GENTLE_PERCENT}%, or reaches
 *       critical within 120 s;</li>
 *   <li>{@link RecommendedAction#MONITOR} otherwise.</li>
 * </ul>
 *
 * <p>{@link #sample} takes the time explicitly, so tests feed synthetic series; {@link MemoryManager}
 * samples the budget once a second from a daemon thread. Thread-safe (synchronized: a sample a second).
 */
public final class PressureForecaster {

  /** Samples kept: 120, two minutes at one sample a second. */
  public static final int WINDOW = 120;
  public static final double CRITICAL_PERCENT = 95.0;
  public static final double AGGRESSIVE_PERCENT = 85.0;
  public static final double GENTLE_PERCENT = 70.0;
  /** Trend bands in percentage points per sample. */
  public static final double STABLE_SLOPE = 0.5;
  public static final double CRITICAL_SLOPE = 2.0;

  private final double sampleIntervalSeconds;
  private final long[] times = new long[WINDOW];
  private final double[] usages = new double[WINDOW];
  private int start;
  private int count;

  /** A forecaster for one sample a second. */
  public PressureForecaster() {
    this(Duration.ofSeconds(1));
  }

  /** A forecaster whose trend bands are per {@code sampleInterval}. */
  public PressureForecaster(Duration sampleInterval) {
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new IllegalArgumentException("sample interval must be positive: " + sampleInterval);
    }
    this.sampleIntervalSeconds = sampleInterval.toNanos() / 1e9;
  }

  /**
   * Records usage {@code usagePercent} (0 to 100) at {@code nowMillis} and returns the forecast over the
   * window (empty until there are two samples). Samples must come in time order; the oldest leaves the
   * window when it is full.
   */
  public synchronized Optional<Forecast> sample(long nowMillis, double usagePercent) {
    if (!(usagePercent >= 0) || Double.isInfinite(usagePercent)) {
      throw new IllegalArgumentException("usage must be a non-negative percentage: " + usagePercent);
    }
    if (count > 0 && nowMillis <= times[(start + count - 1) % WINDOW]) {
      throw new IllegalArgumentException("samples must move forward in time: " + nowMillis);
    }
    if (count == WINDOW) {
      start = (start + 1) % WINDOW;
      count--;
    }
    int i = (start + count) % WINDOW;
    times[i] = nowMillis;
    usages[i] = usagePercent;
    count++;
    return generateForecast();
  }

  /** The forecast over the samples now in the window, or empty with fewer than two. */
  public synchronized Optional<Forecast> generateForecast() {
    if (count < 2) return Optional.empty();
    int lastIndex = (start + count - 1) % WINDOW;
    long lastTime = times[lastIndex];
    double current = usages[lastIndex];
    // Least squares over (x = seconds before the latest sample, y = usage).
    double sx = 0, sy = 0;
    for (int k = 0; k < count; k++) {
      int i = (start + k) % WINDOW;
      sx += (times[i] - lastTime) / 1000.0;
      sy += usages[i];
    }
    double mx = sx / count;
    double my = sy / count;
    double sxx = 0, sxy = 0;
    for (int k = 0; k < count; k++) {
      int i = (start + k) % WINDOW;
      double dx = (times[i] - lastTime) / 1000.0 - mx;
      sxx += dx * dx;
      sxy += dx * (usages[i] - my);
    }
    double slope = sxx == 0 ? 0 : sxy / sxx; // percentage points per second
    double intercept = my - slope * mx;      // the line at the latest sample
    double perSample = slope * sampleIntervalSeconds;
    MemoryTrend trend = classifyTrend(perSample);
    Optional<Duration> ttc = estimateTimeToCritical(current, slope, intercept);
    return Optional.of(new Forecast(current, intercept + slope * 30.0, intercept + slope * 60.0,
        intercept + slope * 120.0, perSample, trend, recommendAction(current, trend, ttc), ttc, count));
  }

  /** Samples in the window. */
  public synchronized int sampleCount() {
    return count;
  }

  static MemoryTrend classifyTrend(double slopePerSample) {
    if (slopePerSample < -STABLE_SLOPE) return MemoryTrend.DECREASING;
    if (slopePerSample <= STABLE_SLOPE) return MemoryTrend.STABLE;
    if (slopePerSample <= CRITICAL_SLOPE) return MemoryTrend.INCREASING;
    return MemoryTrend.CRITICAL;
  }

  static Optional<Duration> estimateTimeToCritical(double current, double slope, double intercept) {
    if (current >= CRITICAL_PERCENT || intercept >= CRITICAL_PERCENT && slope > 0) return Optional.of(Duration.ZERO);
    if (slope <= 0) return Optional.empty();
    double seconds = (CRITICAL_PERCENT - intercept) / slope;
    return Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
  }

  static RecommendedAction recommendAction(double current, MemoryTrend trend, Optional<Duration> timeToCritical) {
    long ttcMillis = timeToCritical.map(Duration::toMillis).orElse(Long.MAX_VALUE);
    if (current >= CRITICAL_PERCENT || ttcMillis <= 30_000) return RecommendedAction.EMERGENCY_CLEANUP;
    if (current >= AGGRESSIVE_PERCENT || ttcMillis <= 60_000 || trend == MemoryTrend.CRITICAL) {
      return RecommendedAction.AGGRESSIVE_EVICTION;
    }
    if (current >= GENTLE_PERCENT || ttcMillis <= 120_000) return RecommendedAction.GENTLE_EVICTION;
    return RecommendedAction.MONITOR;
  }
}
