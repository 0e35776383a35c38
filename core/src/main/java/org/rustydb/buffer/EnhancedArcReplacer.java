package org.rustydb.buffer;

import java.util.function.LongPredicate;

/**
 * The spec's "Enhanced ARC" (storage layer v0.6.5, "Buffer Pool Manager"): ARC (Megiddo and Modha, FAST
 * 2003; see {@link ArcReplacer}) with four additions. The spec names them but gives no algorithm, so each
 * is specified here:
 *
 * <ol>
 *   <li><b>Adaptive ghost-list sizing.</b> B1 and B2 together hold at most {@code ratio x c} ghosts, with
 *       {@code ratio} in [0.5, 2.0] (start 1.0, ARC's own bound). Every {@code c} references the share of
 *       misses that were ghost hits is measured: above 10% history is paying off and the ratio grows by a
 *       quarter; below 2% it shrinks by a fifth. Beyond the bound the larger ghost list loses its LRU.</li>
 *   <li><b>Scan detection and isolation.</b> A miss is <em>sequential</em> if its page number is within
 *       2 of the previous miss's. An exponential average of that (weight 1/8) at or above 70% means a
 *       scan is running; its new pages go to an isolated FIFO scan list instead of T1 and are evicted
 *       before T1 and T2 once that list holds {@code c/20} pages (scan pages have the lowest keep
 *       priority), so a scan can take little of the cache. A scan page referenced again joins T1; an
 *       evicted one leaves a B1 ghost, so a loop over a scanned range is recognised on its next pass.</li>
 *   <li><b>A PID controller for the T1 target p.</b> ARC moves p by a fixed step per ghost hit. Here
 *       the setpoint is {@code c x s}, where {@code s} is the recent share of ghost hits that were in B1
 *       (an exponential average, weight 1/8); on every ghost hit p moves by
 *       {@code Kp e + Ki sum(e) + Kd (e - e')}, with {@code e} the setpoint minus p, gains 0.1, 0.01 and
 *       0.05 as the spec says, and the integral clamped to +-c against wind-up.</li>
 *   <li><b>Priority/age scoring.</b> Each resident page counts its references. REPLACE looks at the four
 *       least recent pages of the list it evicts from and takes the one with the lowest
 *       {@code count / (1 + age / c)} (age in references since its last use), so a page that was hot a
 *       moment ago outlives an older page referenced once. The spec also weighs modification frequency;
 *       the {@link Replacer} interface does not see writes, so that input is not used.</li>
 * </ol>
 *
 * <p>Refusals by {@code tryEvict}: candidates in preference order, then the remaining pages of the scan
 * list, T1 and T2 from their LRU ends.
 */
public final class EnhancedArcReplacer extends AbstractReplacer {

  private static final int T1 = 0;
  private static final int T2 = 1;
  private static final int B1 = 2;
  private static final int B2 = 3;
  private static final int SCAN = 4;

  static final double MIN_GHOST_RATIO = 0.5;
  static final double MAX_GHOST_RATIO = 2.0;
  static final double SCAN_THRESHOLD = 0.70;
  static final double KP = 0.1;
  static final double KI = 0.01;
  static final double KD = 0.05;
  private static final int SCORED_CANDIDATES = 4;

  private final PageLists lists;
  private final int scanBudget;
  private double p;
  private double ghostRatio = 1.0;
  private double b1Share = 0.5;
  private double integral;
  private double lastError;
  /** The PID state computed for a ghost hit, applied only if the admission succeeds. */
  private double pendingIntegral;
  private double pendingError;
  private double sequential;
  private long lastMiss = -100;
  private long clock;
  private int epochRefs;
  private int epochMisses;
  private int epochGhostHits;

  public EnhancedArcReplacer(int capacity) {
    super("earc", capacity);
    lists = new PageLists(5, capacity + (int) Math.ceil(MAX_GHOST_RATIO * capacity) + 2);
    scanBudget = Math.max(1, capacity / 20);
  }

  /** The T1 target p. */
  public double target() {
    return p;
  }

  /** The current ghost ratio, in [0.5, 2.0]. */
  public double ghostRatio() {
    return ghostRatio;
  }

  /** Whether the recent misses look like a sequential scan. */
  public boolean scanning() {
    return sequential >= SCAN_THRESHOLD;
  }

  @Override
  public int size() {
    return lists.size(T1) + lists.size(T2) + lists.size(SCAN);
  }

  @Override
  public boolean contains(long pageId) {
    int n = lists.node(pageId);
    return n != PageLists.NIL && isResident(lists.listOf(n));
  }

  private static boolean isResident(int list) {
    return list == T1 || list == T2 || list == SCAN;
  }

  @Override
  public void recordHit(long pageId) {
    int n = lists.node(pageId);
    if (n == PageLists.NIL || !isResident(lists.listOf(n))) throw notResident(pageId);
    tick(false, false);
    touch(n);
    // ARC case I; a scan page referenced again is treated as a first real reference.
    lists.moveToMru(n, lists.listOf(n) == SCAN ? T1 : T2);
  }

  @Override
  public long admit(long x, LongPredicate tryEvict) {
    checkPageId(x);
    int n = lists.node(x);
    int where = n == PageLists.NIL ? -1 : lists.listOf(n);
    if (where >= 0 && isResident(where)) throw alreadyResident(x);
    boolean full = size() >= capacity;
    long victim = NONE;
    if (where == B1 || where == B2) {
      double newP = pid(where == B1);
      if (full) {
        victim = replace(where == B2, newP, tryEvict);
        if (victim == NO_ROOM) return NO_ROOM;
      }
      commitPid(newP);
      observeMiss(x);
      lists.moveToMru(n, T2);
      touch(n);
      tick(true, true);
      return victim;
    }
    if (full) {
      victim = replace(false, p, tryEvict);
      if (victim == NO_ROOM) return NO_ROOM;
    }
    observeMiss(x);
    n = lists.add(x, scanning() ? SCAN : T1);
    touch(n);
    trimGhosts();
    tick(true, false);
    return victim;
  }

  /** REPLACE: the scan list first once over budget, else ARC's choice of T1 or T2, by priority score. */
  private long replace(boolean xInB2, double target, LongPredicate tryEvict) {
    int first;
    int t1 = lists.size(T1);
    if (lists.size(SCAN) >= scanBudget || (t1 == 0 && lists.size(T2) == 0)) {
      first = SCAN;
    } else {
      first = t1 >= 1 && ((xInB2 && t1 == target) || t1 > target) ? T1 : T2;
      if (lists.size(first) == 0) first = first == T1 ? T2 : T1;
    }
    long victim = evictScored(first, tryEvict);
    for (int l = T1; l <= SCAN && victim == NO_ROOM; l++) {
      if (l != first && isResident(l)) victim = evictScored(l, tryEvict);
    }
    if (victim == NO_ROOM) victim = evictAny(tryEvict);
    return victim;
  }

  /** Evicts the lowest-scoring of the oldest few pages of {@code from} that tryEvict accepts. */
  private long evictScored(int from, LongPredicate tryEvict) {
    int best = PageLists.NIL;
    double bestScore = Double.MAX_VALUE;
    int seen = 0;
    for (int n = lists.lru(from); n != PageLists.NIL && seen < SCORED_CANDIDATES; n = lists.newer(n), seen++) {
      double score = from == SCAN ? seen : score(n);
      if (score < bestScore) {
        bestScore = score;
        best = n;
      }
    }
    if (best == PageLists.NIL) return NO_ROOM;
    long page = lists.page(best);
    if (!tryEvict.test(page)) return NO_ROOM;
    lists.moveToMru(best, from == T2 ? B2 : B1);
    return page;
  }

  /** Only when the scored candidates refused: any resident page, LRU first. */
  private long evictAny(LongPredicate tryEvict) {
    for (int l = T1; l <= SCAN; l++) {
      if (!isResident(l)) continue;
      for (int n = lists.lru(l); n != PageLists.NIL; n = lists.newer(n)) {
        long page = lists.page(n);
        if (tryEvict.test(page)) {
          lists.moveToMru(n, l == T2 ? B2 : B1);
          return page;
        }
      }
    }
    return NO_ROOM;
  }

  private double score(int n) {
    double age = clock - lists.stamp(n);
    return lists.count(n) / (1.0 + age / capacity);
  }

  private void touch(int n) {
    lists.setStamp(n, clock);
    lists.setCount(n, Math.min(lists.count(n) + 1, 1 << 20));
  }

  /** One PID step toward the setpoint c x (share of ghost hits in B1); returns the new p. */
  private double pid(boolean inB1) {
    b1Share += ((inB1 ? 1.0 : 0.0) - b1Share) / 8;
    double error = b1Share * capacity - p;
    double nextIntegral = Math.clamp(integral + error, -capacity, capacity);
    double out = KP * error + KI * nextIntegral + KD * (error - lastError);
    pendingIntegral = nextIntegral;
    pendingError = error;
    return Math.clamp(p + out, 0.0, capacity);
  }

  private void commitPid(double newP) {
    p = newP;
    integral = pendingIntegral;
    lastError = pendingError;
  }

  private void observeMiss(long x) {
    boolean seq = Math.abs(x - lastMiss) <= 2;
    sequential += ((seq ? 1.0 : 0.0) - sequential) / 8;
    lastMiss = x;
  }

  /** Counts a reference; every c references re-sizes the ghost lists (enhancement 1). */
  private void tick(boolean miss, boolean ghostHit) {
    clock++;
    if (miss) epochMisses++;
    if (ghostHit) epochGhostHits++;
    if (++epochRefs < capacity) return;
    if (epochMisses > 0) {
      double share = (double) epochGhostHits / epochMisses;
      if (share > 0.10) ghostRatio = Math.min(MAX_GHOST_RATIO, ghostRatio * 1.25);
      else if (share < 0.02) ghostRatio = Math.max(MIN_GHOST_RATIO, ghostRatio * 0.8);
    }
    epochRefs = 0;
    epochMisses = 0;
    epochGhostHits = 0;
    trimGhosts();
  }

  private void trimGhosts() {
    int max = (int) Math.round(ghostRatio * capacity);
    while (lists.size(B1) + lists.size(B2) > max) {
      lists.remove(lists.lru(lists.size(B1) >= lists.size(B2) ? B1 : B2));
    }
  }

  @Override
  public void remove(long pageId) {
    int n = lists.node(pageId);
    if (n != PageLists.NIL) lists.remove(n);
  }

  @Override
  public ReplacerSizes sizes() {
    return new ReplacerSizes(lists.size(T1), lists.size(T2), lists.size(B1), lists.size(B2), lists.size(SCAN));
  }
}
