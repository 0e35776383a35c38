package org.rustydb.buffer;

import java.util.function.LongPredicate;

/**
 * Dueling LIRS ({@code dlirs}), this project's default policy: adaptive LIRS (see {@link LirsReplacer})
 * steered by shadow experts, so that it is as loop- and scan-proof as LIRS where LIRS wins, as good as
 * LRU where recency is all there is, and keeps as much history as the workload rewards.
 *
 * <p>The experts follow the set-dueling idea of M. K. Qureshi, A. Jaleel, Y. N. Patt, S. C. Steely and
 * J. Emer, "Adaptive Insertion Policies for High Performance Caching", ISCA 2007, applied to whole
 * shadow directories as ARC applies ghost lists: page-id-only replicas of the same capacity see every
 * reference, and an exponentially decaying hit score of each (time constant {@code 2c} references) says
 * which would be doing better now. Three shadows, two duels:
 * <ul>
 *   <li><b>Recency vs. inter-reference recency.</b> LIRS's weakness is the pattern where the newest
 *       pages are the next ones used again, for example a sweep that turns round (zigzag): it evicts
 *       exactly those and hits 0.4% where LRU hits 48%. While the {@link LruReplacer} shadow leads the
 *       LIRS shadow whose history length the real cache uses, the real cache's HIR part grows by
 *       {@code c/256} pages per reference, up to the whole cache (where LIRS behaves as LRU); while LIRS
 *       is ahead it shrinks by the same step, down to 1%. In between, its own ghost signals adapt it as
 *       in {@code alirs}. LRU leads in either of two ways:
 *       <ul>
 *         <li>its score is more than 10% above LIRS's (plus half a hit, so two empty scores never count):
 *             a large lead, as on zigzag sweeps or a working set that drifts quickly;</li>
 *         <li>or its lead is <em>significant</em> at a shorter time scale ({@code c/2} references), by
 *             McNemar's test for paired outcomes: only references where the two shadows disagree (one
 *             hit, one missed) carry information, so with {@code d} = LRU-only hits - LIRS-only hits and
 *             {@code n} = their sum, both decayed, LRU leads when {@code d > 3 sqrt(n)}. This catches a
 *             lead of a few points at a high hit rate (the {@code lirs-sprite} trace at 500 pages: LRU
 *             78.3%, ARC 77.4%, LIRS 76.1%), which the relative rule misses, and still ignores short
 *             phases where the shadows trade hits (following LRU costs LIRS its LIR set, and the
 *             {@code multi} and {@code cpp} traces punish a looser test).</li>
 *       </ul></li>
 *   <li><b>Long vs. short history.</b> How many non-resident entries LIRS keeps decides which re-used
 *       pages can become LIR. Long history (4c) helps where working sets are large and mixed (the
 *       {@code multi} traces) and where a loop is up to five times the cache (a nested-loop join's inner
 *       relation: {@code lirs-ps} at 100 pages goes from 18% to 30% hits against 2c, OPT 31%); short
 *       history (c/2) helps where a skewed hot set competes with one-off pages, since stale ghosts then
 *       promote pages that will not come back soon. Two LIRS shadows, one with each, and the real cache
 *       keeps the limit of whichever scores higher.</li>
 * </ul>
 *
 * <p>Cost: below {@value #SAMPLED_FROM} pages four policies see each reference, each O(1) with no
 * allocation, and the shadows keep ids only (the real cache and the long-history shadow keep up to
 * 4c non-resident entries each). From that size on the
 * shadows watch one page in {@value #SAMPLE} (by a hash of its id, independent of the hash tables') with
 * a sixteenth of the capacity, as set dueling samples cache sets, so most references cost what plain
 * adaptive LIRS costs.
 */
public final class DuelingLirsReplacer extends AbstractReplacer {

  /** LRU's hit score must exceed LIRS's by this fraction to lead outright. */
  private static final double MARGIN = 0.10;
  /** How many standard deviations LRU's paired lead over LIRS must reach (McNemar's test, see above). */
  private static final double SIGNIFICANCE = 3.0;
  /** Time constants, in multiples of the (shadow) capacity: of the hit scores, and of the paired test. */
  private static final double SCORE_TIME = 2.0;
  private static final double TEST_TIME = 0.5;
  /** The two lengths of non-resident history that duel, in multiples of c. */
  private static final double LONG_HISTORY = 4.0;
  private static final double SHORT_HISTORY = 0.5;
  /**
   * From this capacity on the shadows watch a sample of the pages (1 in {@value #SAMPLE}; shadows of 128
   * pages and more). Unsampled, the three shadows cost most of a miss's policy work: at 3,584 frames
   * (YCSB E, data 4x the pool) they were three quarters of it and a third of a scan's time.
   */
  static final int SAMPLED_FROM = 2048;
  static final int SAMPLE = 16;

  private final LirsReplacer real;
  private final LruReplacer lruShadow;
  private final LirsReplacer lirsShadow;
  private final LirsReplacer shortShadow;
  private final double decay;
  private final double testDecay;
  private final int sampleMask;
  /** How far one sampled reference moves the HIR target: c/256 pages per reference watched. */
  private final double duelStep;
  private final int shortGhosts;
  private final int longGhosts;
  private double lruScore;
  private double lirsScore;
  private double shortScore;
  /** Decayed (LRU-only hits - LIRS-only hits) and (LRU-only + LIRS-only hits), against each LIRS shadow. */
  private double leadOverLong;
  private double disagreeLong;
  private double leadOverShort;
  private double disagreeShort;

  public DuelingLirsReplacer(int capacity) {
    super("dlirs", capacity);
    real = new LirsReplacer("dlirs", capacity, 0.01, 1.0, LONG_HISTORY, true);
    boolean sampled = capacity >= SAMPLED_FROM;
    int shadowCapacity = sampled ? capacity / SAMPLE : capacity;
    sampleMask = sampled ? SAMPLE - 1 : 0;
    duelStep = capacity / 256.0 * (sampled ? SAMPLE : 1);
    lruShadow = new LruReplacer(shadowCapacity);
    lirsShadow = new LirsReplacer("lirs", shadowCapacity, 0.01, 0.01, LONG_HISTORY, false);
    shortShadow = new LirsReplacer("lirs", shadowCapacity, 0.01, 0.01, SHORT_HISTORY, false);
    decay = 1.0 - 1.0 / (SCORE_TIME * shadowCapacity);
    testDecay = 1.0 - 1.0 / Math.max(1.0, TEST_TIME * shadowCapacity);
    shortGhosts = (int) Math.round(SHORT_HISTORY * capacity);
    longGhosts = (int) Math.round(LONG_HISTORY * capacity);
  }

  @Override
  public int size() {
    return real.size();
  }

  @Override
  public boolean contains(long pageId) {
    return real.contains(pageId);
  }

  @Override
  public void recordHit(long pageId) {
    real.recordHit(pageId);
    duel(pageId);
  }

  @Override
  public long admit(long pageId, LongPredicate tryEvict) {
    long victim = real.admit(pageId, tryEvict);
    // A reference that found no room did not happen for the cache; the shadows skip it too.
    if (victim != NO_ROOM) duel(pageId);
    return victim;
  }

  /** Feeds the reference to the shadows; sets the real cache's history length and moves its HIR part. */
  private void duel(long pageId) {
    if ((((pageId * 0x9E3779B97F4A7C15L) >>> 59) & sampleMask) != 0) return; // not a sampled page
    int lru = lruShadow.reference(pageId) ? 1 : 0;
    int lirs = lirsShadow.reference(pageId) ? 1 : 0;
    int shortLirs = shortShadow.reference(pageId) ? 1 : 0;
    lruScore = lruScore * decay + lru;
    lirsScore = lirsScore * decay + lirs;
    shortScore = shortScore * decay + shortLirs;
    leadOverLong = leadOverLong * testDecay + (lru - lirs);
    disagreeLong = disagreeLong * testDecay + (lru ^ lirs);
    leadOverShort = leadOverShort * testDecay + (lru - shortLirs);
    disagreeShort = disagreeShort * testDecay + (lru ^ shortLirs);
    boolean shortWins = shortScore > lirsScore;
    real.setGhostLimit(shortWins ? shortGhosts : longGhosts);
    double lirsBest = Math.max(lirsScore, shortScore);
    double lead = shortWins ? leadOverShort : leadOverLong;
    double disagreements = shortWins ? disagreeShort : disagreeLong;
    if (lruScore > lirsBest * (1 + MARGIN) + 0.5 || lead > SIGNIFICANCE * Math.sqrt(disagreements)) {
      real.setHirTarget(real.hirTarget() + duelStep);
    } else if (lirsBest > lruScore) {
      real.setHirTarget(real.hirTarget() - duelStep);
    }
  }

  @Override
  public void remove(long pageId) {
    real.remove(pageId);
    lruShadow.remove(pageId);
    lirsShadow.remove(pageId);
    shortShadow.remove(pageId);
  }

  @Override
  public ReplacerSizes sizes() {
    return real.sizes();
  }
}
