package org.rustydb.buffer;

import java.util.function.LongPredicate;

/**
 * ARC, exactly as N. Megiddo and D. S. Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache",
 * USENIX FAST 2003, Figure 4, with the real-valued target {@code p}.
 *
 * <p>Four LRU lists: T1 (resident, referenced once recently), T2 (resident, referenced at least twice),
 * and their ghosts B1 and B2 (ids of pages recently evicted from T1 and T2; no data). {@code p} is the
 * target size of T1: a hit in B1 says T1 was too small and raises it, a hit in B2 lowers it. The methods
 * below follow the paper's cases I-IV and its subroutine REPLACE step by step.
 *
 * <p>Two departures, both forced by the buffer pool and neither reachable in the simulator:
 * <ul>
 *   <li>{@code tryEvict} may refuse a candidate (a pinned page). REPLACE then tries the next page of the
 *       same list toward its MRU end, then the other list; the victim's ghost goes to the ghost list of
 *       the list it came from. If all refuse, nothing changes (not even {@code p}) and NO_ROOM returns.</li>
 *   <li>{@link #remove} can leave the cache below {@code c} while ghosts remain; the paper calls REPLACE
 *       only when the cache is full (a ghost hit or case IV with |L1|+|L2| >= c implies that), so REPLACE
 *       runs only if |T1|+|T2| = c.</li>
 * </ul>
 */
public final class ArcReplacer extends AbstractReplacer {

  private static final int T1 = 0;
  private static final int T2 = 1;
  private static final int B1 = 2;
  private static final int B2 = 3;

  private final PageLists lists;
  /** The paper's p: target size of T1, 0 <= p <= c. */
  private double p;

  public ArcReplacer(int capacity) {
    super("arc", capacity);
    // The directory L1 + L2 never holds more than 2c pages (paper, section III-B).
    lists = new PageLists(4, 2 * capacity + 1);
  }

  /** The adaptation target p (for tests and statistics). */
  public double target() {
    return p;
  }

  @Override
  public int size() {
    return lists.size(T1) + lists.size(T2);
  }

  @Override
  public boolean contains(long pageId) {
    int n = lists.node(pageId);
    return n != PageLists.NIL && lists.listOf(n) <= T2;
  }

  /** Case I: x is in T1 or T2 (a cache hit). Move x to the MRU position in T2. */
  @Override
  public void recordHit(long pageId) {
    int n = lists.node(pageId);
    if (n == PageLists.NIL || lists.listOf(n) > T2) throw notResident(pageId);
    lists.moveToMru(n, T2);
  }

  @Override
  public long admit(long x, LongPredicate tryEvict) {
    checkPageId(x);
    int n = lists.node(x);
    int where = n == PageLists.NIL ? -1 : lists.listOf(n);
    if (where == T1 || where == T2) throw alreadyResident(x);
    int c = capacity;
    boolean full = size() >= c;

    if (where == B1) {
      // Case II: x is in B1 (a cache miss). Adaptation: p = min(p + delta1, c),
      // delta1 = 1 if |B1| >= |B2|, otherwise |B2| / |B1|. REPLACE(x, p). Move x from B1 to MRU of T2.
      double delta1 = lists.size(B1) >= lists.size(B2) ? 1.0 : (double) lists.size(B2) / lists.size(B1);
      double newP = Math.min(p + delta1, c);
      long victim = full ? replace(false, newP, tryEvict) : NONE;
      if (victim == NO_ROOM) return NO_ROOM;
      p = newP;
      lists.moveToMru(n, T2);
      return victim;
    }
    if (where == B2) {
      // Case III: x is in B2 (a cache miss). Adaptation: p = max(p - delta2, 0),
      // delta2 = 1 if |B2| >= |B1|, otherwise |B1| / |B2|. REPLACE(x, p). Move x from B2 to MRU of T2.
      double delta2 = lists.size(B2) >= lists.size(B1) ? 1.0 : (double) lists.size(B1) / lists.size(B2);
      double newP = Math.max(p - delta2, 0.0);
      long victim = full ? replace(true, newP, tryEvict) : NONE;
      if (victim == NO_ROOM) return NO_ROOM;
      p = newP;
      lists.moveToMru(n, T2);
      return victim;
    }

    // Case IV: x is in none of T1, B1, T2, B2 (a cache miss).
    int l1 = lists.size(T1) + lists.size(B1);
    int total = l1 + lists.size(T2) + lists.size(B2);
    long victim = NONE;
    if (l1 == c) {
      // Case A: L1 = T1 u B1 has exactly c pages.
      if (lists.size(T1) < c) {
        // Delete the LRU page in B1. REPLACE(x, p). (The victim is chosen first so that a refusal by
        // every candidate leaves the lists untouched; deleting a B1 ghost does not change REPLACE's choice.)
        if (full) {
          victim = replace(false, p, tryEvict);
          if (victim == NO_ROOM) return NO_ROOM;
        }
        lists.remove(lists.lru(B1));
      } else {
        // Here B1 is empty. Delete the LRU page in T1 (also remove it from the cache).
        victim = evictFrom(T1, -1, tryEvict);
        if (victim == NO_ROOM) return NO_ROOM;
      }
    } else if (total >= c) {
      // Case B: L1 has less than c pages. If |T1|+|T2|+|B1|+|B2| >= c: delete the LRU page in B2 if the
      // total is 2c, then REPLACE(x, p).
      if (full) {
        victim = replace(false, p, tryEvict);
        if (victim == NO_ROOM) return NO_ROOM;
      }
      if (total == 2 * c && lists.size(B2) > 0) lists.remove(lists.lru(B2));
    }
    // Finally, fetch x to the cache and move it to MRU position in T1.
    lists.add(x, T1);
    return victim;
  }

  /**
   * Subroutine REPLACE(x, p): if T1 is not empty and (|T1| exceeds p, or x is in B2 and |T1| = p), delete
   * the LRU page in T1 and move it to the MRU position in B1; otherwise delete the LRU page in T2 and move
   * it to the MRU position in B2.
   */
  private long replace(boolean xInB2, double target, LongPredicate tryEvict) {
    int t1 = lists.size(T1);
    boolean fromT1 = t1 >= 1 && ((xInB2 && t1 == target) || t1 > target);
    long victim = fromT1 ? evictFrom(T1, B1, tryEvict) : evictFrom(T2, B2, tryEvict);
    if (victim == NO_ROOM) {
      // Only refusals bring us here: the preferred list's pages are all pinned.
      victim = fromT1 ? evictFrom(T2, B2, tryEvict) : evictFrom(T1, B1, tryEvict);
    }
    return victim;
  }

  /** Evicts the least recent page of {@code from} that {@code tryEvict} accepts; its ghost goes to {@code ghost}. */
  private long evictFrom(int from, int ghost, LongPredicate tryEvict) {
    for (int n = lists.lru(from); n != PageLists.NIL; n = lists.newer(n)) {
      long page = lists.page(n);
      if (tryEvict.test(page)) {
        if (ghost < 0) lists.remove(n);
        else lists.moveToMru(n, ghost);
        return page;
      }
    }
    return NO_ROOM;
  }

  @Override
  public void remove(long pageId) {
    int n = lists.node(pageId);
    if (n != PageLists.NIL) lists.remove(n);
  }

  @Override
  public ReplacerSizes sizes() {
    return new ReplacerSizes(lists.size(T1), lists.size(T2), lists.size(B1), lists.size(B2), 0);
  }
}
