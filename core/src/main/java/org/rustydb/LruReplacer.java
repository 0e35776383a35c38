package org.rustydb;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongPredicate;
import org.rustydb.buffer.Replacer;

/**
 * Plain LRU, the database's replacement policy until the policy package provides the default (the lead
 * wires it in {@link DatabaseOptions}). Not thread-safe: the pool calls it under its miss lock.
 */
final class LruReplacer implements Replacer {

  private final int capacity;
  private final LinkedHashMap<Long, Boolean> order = new LinkedHashMap<>(16, 0.75f, true);

  LruReplacer(int capacity) {
    this.capacity = capacity;
  }

  @Override public String name() { return "lru"; }
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
