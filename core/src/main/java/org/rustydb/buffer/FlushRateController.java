package org.rustydb.buffer;

/**
 * The spec's adaptive rate control for the {@link DirtyPageFlusher}, step for step: after each round in which
 * the flusher used its whole allowance, the achieved bandwidth is compared with the target; below 90 % of it
 * the flush rate grows by 10 %, above 110 % it shrinks by 10 %, in between it stays. The rate (MiB/s, like the
 * target) is what the flusher allows itself to write per second; it starts at the target and is kept within
 * [target / 16, target x 16] so that a long idle or stalled stretch cannot drive it to nothing or to infinity.
 * Not thread-safe: the flusher thread owns it.
 */
public final class FlushRateController {

  static final double BAND = 0.1;
  static final double STEP_UP = 1.1;
  static final double STEP_DOWN = 0.9;
  static final double RANGE = 16;

  private final double targetMiBps;
  private double currentRate;

  public FlushRateController(double targetMiBps) {
    if (!(targetMiBps > 0) || Double.isInfinite(targetMiBps)) {
      throw new IllegalArgumentException("target bandwidth must be positive: " + targetMiBps);
    }
    this.targetMiBps = targetMiBps;
    this.currentRate = targetMiBps;
  }

  /** The spec's {@code adjust_rate}. */
  public void adjust(double achievedMiBps) {
    if (achievedMiBps < targetMiBps * (1 - BAND)) {
      currentRate *= STEP_UP; // falling behind: flush harder
    } else if (achievedMiBps > targetMiBps * (1 + BAND)) {
      currentRate *= STEP_DOWN; // ahead of the target: back off
    }
    currentRate = Math.max(targetMiBps / RANGE, Math.min(targetMiBps * RANGE, currentRate));
  }

  public double currentRate() {
    return currentRate;
  }

  public double target() {
    return targetMiBps;
  }
}
