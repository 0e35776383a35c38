package org.rustydb.memory;

import java.time.Duration;
import java.util.Optional;

/**
 * One forecast of memory usage (the spec's {@code Forecast}). Usages are percentages of the budget.
 *
 * @param currentUsage the latest sample
 * @param predicted30s the regression line 30 seconds after the latest sample
 * @param predicted60s ... 60 seconds after
 * @param predicted120s ... 120 seconds after
 * @param slopePerSample the regression slope in percentage points per sample interval
 * @param trend the slope classified
 * @param recommendedAction what to do about it
 * @param timeToCritical when the line reaches the critical usage: zero when already there, empty when
 *     it is not rising
 * @param samples how many samples the regression used
 */
public record Forecast(
    double currentUsage,
    double predicted30s,
    double predicted60s,
    double predicted120s,
    double slopePerSample,
    MemoryTrend trend,
    RecommendedAction recommendedAction,
    Optional<Duration> timeToCritical,
    int samples) {}
