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

  /**
   * A small lead at a high hit rate: 90% of references go to a hot set of 0.4c pages (every policy hits
   * them), 10% to a sweep over c pages that turns round (LRU keeps its newest pages, LIRS evicts them).
   * LRU's hits are then only ~4% above LIRS's, under the 10% margin, but every reference on which the
   * shadows disagree is an LRU-only hit: McNemar's test finds the lead significant. (With the margin
   * alone the policy stayed 2.3 points under LRU here.)
   */
  @Test
  void followsASmallButSignificantLruLead() {
    int c = 500;
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
    long[] refs = new long[300 * c];
    int pos = 0;
    int dir = 1;
    for (int i = 0; i < refs.length; i++) {
      if (rnd.nextDouble() < 0.9) {
        refs[i] = 1 + rnd.nextInt(2 * c / 5);
      } else {
        refs[i] = 100_000 + pos;
        pos += dir;
        if (pos == c) {
          dir = -1;
          pos = c - 1;
        } else if (pos < 0) {
          dir = 1;
          pos = 0;
        }
      }
    }
    long lru = hits(new LruReplacer(c), refs);
    long lirs = hits(new LirsReplacer(c), refs);
    long dlirs = hits(new DuelingLirsReplacer(c), refs);
    assertThat(lru).isGreaterThan(lirs + refs.length / 50); // LRU leads by more than 2 points
    assertThat(lru).isLessThan(lirs * 11 / 10); // but by less than the 10% margin
    assertThat(dlirs).isGreaterThan(lru - refs.length / 200); // within half a point of LRU
  }

  /**
   * A loop of 3.5c pages after the LIR set formed on another working set: the loop's pages become LIR only
   * through hits on their non-resident entries, which must survive 3.5c references. LIRS with 2c of
   * history never gets there (0 hits); the default keeps 4c and holds part of the loop (OPT: ~28%).
   */
  @Test
  void longHistoryLetsALoopOfThreeAndAHalfTimesTheCacheBecomeLir() {
    int c = 200;
    int loop = 700;
    long[] refs = new long[50 * c + 40 * loop];
    int i = 0;
    for (int pass = 0; pass < 50; pass++) {
      for (int k = 0; k < c; k++) refs[i++] = 1 + k;
    }
    for (int pass = 0; pass < 40; pass++) {
      for (int k = 0; k < loop; k++) refs[i++] = 10_000 + k;
    }
    long firstPhaseHits = 49L * c; // every pass over the c pages but the first
    assertThat(hits(new LirsReplacer(c), refs) - firstPhaseHits).isZero();
    assertThat(hits(new DuelingLirsReplacer(c), refs) - firstPhaseHits).isGreaterThan(40L * loop / 5);
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
