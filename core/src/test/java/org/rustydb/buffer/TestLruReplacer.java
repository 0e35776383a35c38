package org.rustydb.buffer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongPredicate;

/** A minimal LRU policy for the pool's tests (the real policies live on the policy branch). */
final class TestLruReplacer implements Replacer {

  private final int capacity;
  private final LinkedHashMap<Long, Boolean> order = new LinkedHashMap<>(16, 0.75f, true);

  TestLruReplacer(int capacity) {
    this.capacity = capacity;
  }

  @Override public String name() { return "test-lru"; }
  @Override public int capacity() { return capacity; }
  @Override public int size() { return order.size(); }
  @Override public boolean contains(long pageId) { return order.containsKey(pageId); }

  @Override
  public void recordHit(long pageId) {
    order.get(pageId);
  }

  @Override
  public long admit(long pageId, LongPredicate tryEvict) {
    if (order.size() < capacity) {
      order.put(pageId, Boolean.TRUE);
      return NONE;
    }
    for (Iterator<Long> it = order.keySet().iterator(); it.hasNext(); ) {
      long victim = it.next();
      if (tryEvict.test(victim)) {
        it.remove();
        order.put(pageId, Boolean.TRUE);
        return victim;
      }
    }
    return NO_ROOM;
  }

  @Override
  public void remove(long pageId) {
    order.remove(pageId);
  }
}
