package org.rustydb.buffer;

import java.util.function.LongPredicate;

/**
 * Least recently used: evicts the page whose last reference is oldest. The baseline every other policy
 * is measured against; it has no history, so one scan larger than the cache flushes it and a loop one
 * page larger than the cache never hits.
 */
public final class LruReplacer extends AbstractReplacer {

  private static final int RESIDENT = 0;
  private final PageLists lists;

  public LruReplacer(int capacity) {
    super("lru", capacity);
    lists = new PageLists(1, capacity);
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
    lists.moveToMru(n, RESIDENT);
  }

  @Override
  public long admit(long pageId, LongPredicate tryEvict) {
    checkPageId(pageId);
    if (lists.node(pageId) != PageLists.NIL) throw alreadyResident(pageId);
    long victim = NONE;
    if (lists.total() >= capacity) {
      victim = NO_ROOM;
      for (int n = lists.lru(RESIDENT); n != PageLists.NIL; n = lists.newer(n)) {
        long candidate = lists.page(n);
        if (tryEvict.test(candidate)) {
          lists.remove(n);
          victim = candidate;
          break;
        }
      }
      if (victim == NO_ROOM) return NO_ROOM;
    }
    lists.add(pageId, RESIDENT);
    return victim;
  }

  /** A shadow's reference (page ids only, nothing pinned): one lookup; true if it was a hit. */
  boolean reference(long pageId) {
    int n = lists.node(pageId);
    if (n != PageLists.NIL) {
      lists.moveToMru(n, RESIDENT);
      return true;
    }
    admit(pageId, page -> true);
    return false;
  }

  @Override
  public void remove(long pageId) {
    int n = lists.node(pageId);
    if (n != PageLists.NIL) lists.remove(n);
  }
}
