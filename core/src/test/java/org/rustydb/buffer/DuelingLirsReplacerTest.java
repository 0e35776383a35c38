package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DuelingLirsReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new DuelingLirsReplacer(capacity);
  }

  @Override
  String name() {
    return "dlirs";
  }

  private static long hits(Replacer r, long[] refs) {
    long hits = 0;
    for (long p : refs) {
      if (r.contains(p)) {
        r.recordHit(p);
        hits++;
      } else {
        r.admit(p, x -> true);
      }
    }
    return hits;
  }

  /** Sweeps over 2c pages that turn round: LRU keeps the newest c pages, plain LIRS evicts them. */
  private static long[] zigzag(int pages, int sweeps) {
    long[] refs = new long[pages * sweeps];
    int i = 0;
    for (int s = 0; s < sweeps; s++) {
      for (int k = 0; k < pages; k++) refs[i++] = s % 2 == 0 ? k : pages - 1 - k;
    }
    return refs;
  }

  @Test
  void followsLruWhenRecencyWins() {
    long[] refs = zigzag(1000, 12);
    long lru = hits(new LruReplacer(500), refs);
    long lirs = hits(new LirsReplacer(500), refs);
    long dlirs = hits(new DuelingLirsReplacer(500), refs);
    assertThat(lirs).isLessThan(lru / 10);
    assertThat(dlirs).isGreaterThan(lru * 9 / 10);
  }

  @Test
  void sampledShadowsAtLargeCapacitiesStillFollowLru() {
    int c = DuelingLirsReplacer.SAMPLED_FROM;
    long[] refs = zigzag(2 * c, 10);
    long lru = hits(new LruReplacer(c), refs);
    long dlirs = hits(new DuelingLirsReplacer(c), refs);
    assertThat(dlirs).isGreaterThan(lru * 8 / 10);
  }

  @Test
  void keepsLirsLoopResistance() {
    long[] refs = new long[1100 * 30];
    for (int i = 0; i < refs.length; i++) refs[i] = i % 1100;
    assertThat(hits(new LruReplacer(1000), refs)).isZero();
    assertThat(hits(new DuelingLirsReplacer(1000), refs)).isGreaterThan(refs.length * 8L / 10);
  }
}
