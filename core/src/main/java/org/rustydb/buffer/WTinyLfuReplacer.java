package org.rustydb.buffer;

import java.util.function.LongPredicate;

/**
 * W-TinyLFU with a hill-climbing window, after G. Einziger, R. Friedman and B. Manes, "TinyLFU: A Highly
 * Efficient Cache Admission Policy", ACM ToS 2017, and the adaptive window of G. Einziger, O. Eytan,
 * R. Friedman and B. Manes, "Adaptive Software Cache Management", Middleware 2018 (Caffeine's policy).
 *
 * <p>A new page enters a small LRU <em>window</em>. When the window overflows, its oldest page becomes a
 * <em>candidate</em> for the main space, an SLRU (probation, and protected at 80% of main). The candidate
 * duels the main space's victim (probation's LRU page): the one the {@link FrequencySketch} says was
 * referenced more often recently stays, the other is evicted; ties keep the incumbent. That admission
 * filter is what makes it scan- and loop-resistant: one-time pages never displace pages with history.
 *
 * <p>The window's share is tuned by hill climbing: every {@code 10 x c} references the hit rate of the
 * sample is compared with the previous one; if it improved, the window keeps moving the same way, else it
 * turns round; the step (6.25% of c) decays by 2% per sample and restarts when the hit rate jumps by 5
 * points. A larger window favours recency (bursty, shifting working sets), a smaller one frequency.
 *
 * <p>Refusals by {@code tryEvict}: the duel's loser first, then its winner, then every page in window,
 * probation and protected order, each from its LRU end.
 */
public final class WTinyLfuReplacer extends AbstractReplacer {

  private static final int WINDOW = 0;
  private static final int PROBATION = 1;
  private static final int PROTECTED = 2;

  private static final double STEP_PERCENT = 0.0625;
  private static final double STEP_DECAY = 0.98;
  private static final double RESTART_THRESHOLD = 0.05;

  private final PageLists lists;
  private final FrequencySketch sketch;
  private final boolean climb;
  private int windowMax;
  private int protectedMax;

  private final int sampleSize;
  private int sampleHits;
  private int sampleRefs;
  private double previousHitRate;
  private double stepSize;
  /** The page {@link #tryRemove} evicted last. */
  private long lastRemoved;

  /** W-TinyLFU starting with a 1% window, adapted by hill climbing. */
  public WTinyLfuReplacer(int capacity) {
    this("wtinylfu", capacity, 0.01, true);
  }

  /** W-TinyLFU with a window of {@code windowFraction} of the capacity, adapted if {@code climb}. */
  public WTinyLfuReplacer(String name, int capacity, double windowFraction, boolean climb) {
    super(name, capacity);
    lists = new PageLists(3, capacity + 1);
    sketch = new FrequencySketch(capacity);
    this.climb = climb;
    setWindow((int) Math.round(capacity * windowFraction));
    sampleSize = 10 * capacity;
    stepSize = -STEP_PERCENT * capacity;
  }

  private void setWindow(int size) {
    windowMax = Math.clamp(size, 1, Math.max(1, capacity - 1));
    protectedMax = (int) ((capacity - windowMax) * 0.8);
  }

  @Override
  public int size() {
    return lists.total();
  }

  @Override
  public boolean contains(long pageId) {
    return lists.node(pageId) != PageLists.NIL;
  }

  @Override
  public void recordHit(long pageId) {
    int n = lists.node(pageId);
    if (n == PageLists.NIL) throw notResident(pageId);
    sketch.increment(pageId);
    switch (lists.listOf(n)) {
      case WINDOW -> lists.moveToMru(n, WINDOW);
      case PROBATION -> {
        // A second reference in main space earns protection; protected overflow falls back to probation.
        lists.moveToMru(n, PROTECTED);
        if (lists.size(PROTECTED) > protectedMax) lists.moveToMru(lists.lru(PROTECTED), PROBATION);
      }
      default -> lists.moveToMru(n, PROTECTED);
    }
    sample(true);
  }

  @Override
  public long admit(long pageId, LongPredicate tryEvict) {
    checkPageId(pageId);
    if (lists.node(pageId) != PageLists.NIL) throw alreadyResident(pageId);
    sketch.increment(pageId);
    long victim = NONE;
    if (lists.total() >= capacity) {
      victim = evict(tryEvict);
      if (victim == NO_ROOM) return NO_ROOM;
    }
    lists.add(pageId, WINDOW);
    // Window overflow moves to probation; the duel above already made room for it.
    while (lists.size(WINDOW) > windowMax) lists.moveToMru(lists.lru(WINDOW), PROBATION);
    sample(false);
    return victim;
  }

  /** The duel: the window's oldest page (if it must leave the window) against probation's oldest. */
  private long evict(LongPredicate tryEvict) {
    int candidate = lists.size(WINDOW) + 1 > windowMax ? lists.lru(WINDOW) : PageLists.NIL;
    int incumbent = lists.lru(PROBATION);
    if (incumbent == PageLists.NIL) incumbent = lists.lru(PROTECTED);
    int first;
    int second;
    if (candidate == PageLists.NIL) {
      first = incumbent != PageLists.NIL ? incumbent : lists.lru(WINDOW);
      second = PageLists.NIL;
    } else if (incumbent == PageLists.NIL) {
      first = candidate;
      second = PageLists.NIL;
    } else if (sketch.frequency(lists.page(candidate)) > sketch.frequency(lists.page(incumbent))) {
      first = incumbent;
      second = candidate;
    } else {
      first = candidate;
      second = incumbent;
    }
    if (tryRemove(first, tryEvict)) return lastRemoved;
    if (tryRemove(second, tryEvict)) return lastRemoved;
    for (int l = WINDOW; l <= PROTECTED; l++) {
      for (int n = lists.lru(l); n != PageLists.NIL; n = lists.newer(n)) {
        if (n != first && n != second && tryRemove(n, tryEvict)) return lastRemoved;
      }
    }
    return NO_ROOM;
  }

  private boolean tryRemove(int n, LongPredicate tryEvict) {
    if (n == PageLists.NIL) return false;
    long page = lists.page(n);
    if (!tryEvict.test(page)) return false;
    lists.remove(n);
    lastRemoved = page;
    return true;
  }

  /** Hill climbing over the window size (Caffeine's simple climber). */
  private void sample(boolean hit) {
    if (!climb) return;
    if (hit) sampleHits++;
    if (++sampleRefs < sampleSize) return;
    double hitRate = (double) sampleHits / sampleRefs;
    double change = hitRate - previousHitRate;
    double amount = change >= 0 ? stepSize : -stepSize;
    stepSize = Math.abs(change) >= RESTART_THRESHOLD
        ? STEP_PERCENT * capacity * Math.signum(amount == 0 ? 1 : amount)
        : STEP_DECAY * amount;
    previousHitRate = hitRate;
    sampleHits = 0;
    sampleRefs = 0;
    setWindow(windowMax + (int) Math.round(amount));
    while (lists.size(WINDOW) > windowMax) lists.moveToMru(lists.lru(WINDOW), PROBATION);
    while (lists.size(PROTECTED) > protectedMax) lists.moveToMru(lists.lru(PROTECTED), PROBATION);
  }

  @Override
  public void remove(long pageId) {
    int n = lists.node(pageId);
    if (n != PageLists.NIL) lists.remove(n);
  }

  @Override
  public ReplacerSizes sizes() {
    // In ARC's terms: window and probation are the recency side, protected the frequency side.
    return new ReplacerSizes(lists.size(WINDOW) + lists.size(PROBATION), lists.size(PROTECTED), 0, 0, 0);
  }
}
