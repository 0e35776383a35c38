package org.rustydb.buffer;

import java.time.Duration;
import java.util.Objects;

/**
 * How dirty pages are flushed: the {@link DirtyPageFlusher}'s rate and trigger, and the write combining that
 * it and {@link BufferPool#flushAll()} (the checkpoint path) share.
 *
 * @param targetBandwidthMiBps the bandwidth the flusher aims for (spec: 100 MB/s; MiB here)
 * @param combineDistance dirty pages at most this many pages apart join one batch (spec: 10)
 * @param maxBatch the most pages in one batch (spec: 64)
 * @param dirtyRatioThreshold while the pool is evicting, the flusher works once at least this share of the
 *     frames is dirty (so that a miss finds a clean victim and does not write one itself)
 * @param idleDirtyRatioThreshold while no page was evicted since its last round, the flusher waits for this
 *     larger share: no miss needs a clean victim, and below it the flusher would only write the same hot
 *     pages again and again, which the checkpoint writes once per interval anyway
 * @param round how often the flusher looks and adjusts its rate; each round writes up to rate x round
 */
public record FlusherOptions(
    double targetBandwidthMiBps, int combineDistance, int maxBatch, double dirtyRatioThreshold,
    double idleDirtyRatioThreshold, Duration round) {

  public static final FlusherOptions DEFAULTS = builder().build();

  public FlusherOptions {
    if (!(targetBandwidthMiBps > 0) || Double.isInfinite(targetBandwidthMiBps)) {
      throw new IllegalArgumentException("target bandwidth must be positive: " + targetBandwidthMiBps);
    }
    if (combineDistance < 1) throw new IllegalArgumentException("combine distance must be >= 1: " + combineDistance);
    if (maxBatch < 1 || maxBatch > 1024) throw new IllegalArgumentException("max batch must be 1..1024: " + maxBatch);
    if (!(dirtyRatioThreshold >= 0 && dirtyRatioThreshold <= 1)) {
      throw new IllegalArgumentException("dirty ratio threshold must be within 0..1: " + dirtyRatioThreshold);
    }
    if (!(idleDirtyRatioThreshold >= dirtyRatioThreshold && idleDirtyRatioThreshold <= 1)) {
      throw new IllegalArgumentException("idle dirty ratio threshold must be within " + dirtyRatioThreshold
          + " (the dirty ratio threshold)..1: " + idleDirtyRatioThreshold);
    }
    Objects.requireNonNull(round, "round");
    if (round.isNegative() || round.isZero()) throw new IllegalArgumentException("round must be positive: " + round);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Defaults: 100 MiB/s, distance 10, batches of 64, start at 10 % dirty while evicting and at 50 % while
   * not, 100 ms rounds. Setting only {@code dirtyRatioThreshold} above 50 % raises the idle one with it.
   */
  public static final class Builder {
    private double targetBandwidthMiBps = 100;
    private int combineDistance = 10;
    private int maxBatch = 64;
    private double dirtyRatioThreshold = 0.10;
    private double idleDirtyRatioThreshold = 0.50;
    private Duration round = Duration.ofMillis(100);

    public Builder targetBandwidthMiBps(double v) { targetBandwidthMiBps = v; return this; }
    public Builder combineDistance(int v) { combineDistance = v; return this; }
    public Builder maxBatch(int v) { maxBatch = v; return this; }
    public Builder dirtyRatioThreshold(double v) { dirtyRatioThreshold = v; return this; }
    public Builder idleDirtyRatioThreshold(double v) { idleDirtyRatioThreshold = v; return this; }
    public Builder round(Duration v) { round = v; return this; }

    public FlusherOptions build() {
      return new FlusherOptions(targetBandwidthMiBps, combineDistance, maxBatch, dirtyRatioThreshold,
          Math.max(idleDirtyRatioThreshold, dirtyRatioThreshold), round);
    }
  }
}
