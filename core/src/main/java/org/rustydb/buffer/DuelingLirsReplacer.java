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
 *       exactly those and hits 0.4% where LRU hits 48%. While the {@link LruReplacer} shadow's score
 *       beats the better LIRS shadow's by more than 10% (plus half a hit, so two empty scores never
 *       count), the real cache's HIR part grows by {@code c/256} pages per reference, up to the whole
 *       cache (where LIRS behaves as LRU); while LIRS is ahead it shrinks by the same step, down to 1%.
 *       In between, its own ghost signals adapt it as in {@code alirs}.</li>
 *   <li><b>Long vs. short history.</b> How many non-resident entries LIRS keeps decides which re-used
 *       pages can become LIR. Long history (2c) helps where working sets are large and mixed (the
 *       {@code multi} traces); short history (c/2) helps where a skewed hot set competes with one-off
 *       pages, since stale ghosts then promote pages that will not come back soon. Two LIRS shadows, one
 *       with each, and the real cache keeps the limit of whichever scores higher.</li>
 * </ul>
 *
 * <p>Cost: below {@value #SAMPLED_FROM} pages four policies see each reference, each O(1) with no
 * allocation, and the shadows keep ids only (about four times LIRS's metadata). From that size on the
 * shadows watch one page in {@value #SAMPLE} (by a hash of its id, independent of the hash tables') with
 * a sixteenth of the capacity, as set dueling samples cache sets, so most references cost what plain
 * adaptive LIRS costs.
 */
public final class DuelingLirsReplacer extends AbstractReplacer {

  private static final double MARGIN = 0.10;
  /** The two lengths of non-resident history that duel, in multiples of c. */
  private static final double LONG_HISTORY = 2.0;
  private static final double SHORT_HISTORY = 0.5;
  /** From this capacity on the shadows watch a sample of the pages (1 in {@value #SAMPLE}). */
  static final int SAMPLED_FROM = 4096;
  static final int SAMPLE = 16;

  private final LirsReplacer real;
  private final LruReplacer lruShadow;
  private final LirsReplacer lirsShadow;
  private final LirsReplacer shortShadow;
  private final double decay;
  private final int sampleMask;
  /** How far one sampled reference moves the HIR target: c/256 pages per reference watched. */
  private final double duelStep;
  private final int shortGhosts;
  private final int longGhosts;
  private double lruScore;
  private double lirsScore;
  private double shortScore;

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
    decay = 1.0 - 1.0 / (2.0 * shadowCapacity);
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
    lruScore = lruScore * decay + (lruShadow.reference(pageId) ? 1 : 0);
    lirsScore = lirsScore * decay + (lirsShadow.reference(pageId) ? 1 : 0);
    shortScore = shortScore * decay + (shortShadow.reference(pageId) ? 1 : 0);
    boolean shortWins = shortScore > lirsScore;
    real.setGhostLimit(shortWins ? shortGhosts : longGhosts);
    double lirsBest = Math.max(lirsScore, shortScore);
    if (lruScore > lirsBest * (1 + MARGIN) + 0.5) {
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
