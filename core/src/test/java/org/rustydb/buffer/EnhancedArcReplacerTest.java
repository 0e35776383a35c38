package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnhancedArcReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new EnhancedArcReplacer(capacity);
  }

  @Override
  String name() {
    return "earc";
  }

  private static void access(EnhancedArcReplacer r, long page) {
    if (r.contains(page)) r.recordHit(page);
    else r.admit(page, p -> true);
  }

  @Test
  void aSequentialScanIsDetectedAndIsolatedInTheScanList() {
    EnhancedArcReplacer r = new EnhancedArcReplacer(100);
    for (int round = 0; round < 3; round++) {
      for (long hot = 0; hot < 100; hot++) access(r, hot * 7 + 10_000); // a hot, non-sequential set filling the cache
    }
    assertThat(r.scanning()).isFalse();
    for (long p = 0; p < 1000; p++) access(r, p); // a long scan
    assertThat(r.scanning()).isTrue();
    assertThat(r.sizes().scan()).isGreaterThan(0).isLessThanOrEqualTo(5);
    int hotLeft = 0;
    for (long hot = 0; hot < 100; hot++) hotLeft += r.contains(hot * 7 + 10_000) ? 1 : 0;
    assertThat(hotLeft).as("once detected, the scan took only its budget from the hot set")
        .isGreaterThanOrEqualTo(100 - 5 - 10);
  }

  @Test
  void ghostRatioStaysWithinItsBounds() {
    EnhancedArcReplacer r = new EnhancedArcReplacer(50);
    java.util.Random rnd = new java.util.Random(1);
    for (int i = 0; i < 20_000; i++) {
      access(r, rnd.nextInt(i < 10_000 ? 120 : 100_000)); // reuse (ghost hits), then none
      assertThat(r.ghostRatio()).isBetween(EnhancedArcReplacer.MIN_GHOST_RATIO, EnhancedArcReplacer.MAX_GHOST_RATIO);
      Replacer.ReplacerSizes s = r.sizes();
      assertThat(s.b1() + s.b2()).isLessThanOrEqualTo((int) Math.round(r.ghostRatio() * 50) + 1);
    }
    assertThat(r.ghostRatio()).as("no ghost hits: the ghost lists shrink to the minimum").isEqualTo(0.5);
  }

  @Test
  void pidTargetFollowsGhostHitsWithinZeroAndC() {
    EnhancedArcReplacer r = new EnhancedArcReplacer(20);
    // pages re-referenced once after a gap: B1 ghost hits pull the T1 target up
    for (int round = 0; round < 200; round++) {
      for (long p = 0; p < 30; p++) access(r, round * 1000L + p % 25 + (p / 25) * 500);
      for (long p = 0; p < 25; p++) access(r, round * 1000L + p);
    }
    assertThat(r.target()).isBetween(0.0, 20.0);
  }
}
