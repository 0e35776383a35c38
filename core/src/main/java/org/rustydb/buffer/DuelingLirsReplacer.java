package org.rustydb.buffer;

import java.util.function.LongPredicate;

/**
 * Dueling LIRS ({@code dlirs}), this project's default policy: adaptive LIRS (see {@link LirsReplacer})
 * steered by two shadow experts, so that it is as loop- and scan-proof as LIRS where LIRS wins and as
 * good as LRU where recency is all there is.
 *
 * <p>LIRS's weakness is the pattern where the newest pages are the next ones used again, for example a
 * sweep that turns round (zigzag): it evicts exactly those, and hits 0.4% where LRU hits 48%. Its
 * ghost-driven adaptation recovers part of that, but on such a pattern its own signals conflict. So the
 * policy also watches what LRU and plain LIRS <em>would</em> hit, the set-dueling idea of M. K. Qureshi,
 * A. Jaleel, Y. N. Patt, S. C. Steely and J. Emer, "Adaptive Insertion Policies for High Performance
 * Caching", ISCA 2007, applied to whole shadow directories as in ARC's ghost lists: two page-id-only
 * replicas ({@link LruReplacer} and {@link LirsReplacer} of the same capacity) see every reference, and
 * an exponentially decaying hit score of each (time constant {@code 2c} references) is kept. While LRU's
 * score beats LIRS's by more than 10% (plus half a hit, so two empty scores never count), the real
 * cache's HIR part grows by {@code c/256} pages per reference, up to the whole cache (where LIRS behaves as
 * LRU); while LIRS's score is ahead it shrinks by the same step, down to 1%. Between the two its own
 * ghost signals adapt it as in {@code alirs}. The real cache keeps 1.5c non-resident entries rather than
 * 2c: on the small caches of the development traces the older history mostly promoted stale pages.
 *
 * <p>Cost: below {@value #SAMPLED_FROM} pages three policies see each reference, each O(1) with no
 * allocation, and the shadows keep ids only (about three times LIRS's metadata). From that size on the
 * shadows watch one page in {@value #SAMPLE} (by a hash of its id) with a sixteenth of the capacity,
 * as set dueling samples cache sets, so most references cost what plain adaptive LIRS costs.
 */
public final class DuelingLirsReplacer extends AbstractReplacer {

  private static final LongPredicate ANY = p -> true;
  private static final double MARGIN = 0.10;
  /** Non-resident history of the real cache, in multiples of c (measured: 2c promotes stale pages at small sizes). */
  private static final double GHOSTS = 1.5;
  /** From this capacity on the shadows watch a sample of the pages (1 in {@value #SAMPLE}). */
  static final int SAMPLED_FROM = 8192;
  static final int SAMPLE = 16;

  private final LirsReplacer real;
  private final LruReplacer lruShadow;
  private final LirsReplacer lirsShadow;
  private final double decay;
  private final int sampleMask;
  /** How far one sampled reference moves the HIR target: c/256 pages per reference watched. */
  private final double duelStep;
  private double lruScore;
  private double lirsScore;

  public DuelingLirsReplacer(int capacity) {
    super("dlirs", capacity);
    real = new LirsReplacer("dlirs", capacity, 0.01, 1.0, GHOSTS, true);
    boolean sampled = capacity >= SAMPLED_FROM;
    int shadowCapacity = sampled ? capacity / SAMPLE : capacity;
    sampleMask = sampled ? SAMPLE - 1 : 0;
    duelStep = capacity / 256.0 * (sampled ? SAMPLE : 1);
    lruShadow = new LruReplacer(shadowCapacity);
    lirsShadow = new LirsReplacer(shadowCapacity);
    decay = 1.0 - 1.0 / (2.0 * shadowCapacity);
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

  /** Feeds the reference to both shadows and moves the real cache's HIR part toward the winner. */
  private void duel(long pageId) {
    if ((((pageId * 0x9E3779B97F4A7C15L) >>> 59) & sampleMask) != 0) return; // not a sampled page
    lruScore = lruScore * decay + (shadowHit(lruShadow, pageId) ? 1 : 0);
    lirsScore = lirsScore * decay + (shadowHit(lirsShadow, pageId) ? 1 : 0);
    if (lruScore > lirsScore * (1 + MARGIN) + 0.5) {
      real.setHirTarget(real.hirTarget() + duelStep);
    } else if (lirsScore > lruScore) {
      real.setHirTarget(real.hirTarget() - duelStep);
    }
  }

  private static boolean shadowHit(Replacer shadow, long pageId) {
    if (shadow.contains(pageId)) {
      shadow.recordHit(pageId);
      return true;
    }
    shadow.admit(pageId, ANY);
    return false;
  }

  @Override
  public void remove(long pageId) {
    real.remove(pageId);
    lruShadow.remove(pageId);
    lirsShadow.remove(pageId);
  }

  @Override
  public ReplacerSizes sizes() {
    return real.sizes();
  }
}
