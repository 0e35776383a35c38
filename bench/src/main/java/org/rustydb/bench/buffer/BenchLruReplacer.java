package org.rustydb.bench.buffer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongPredicate;
import org.rustydb.buffer.Replacer;

/**
 * Plain LRU (an access-ordered LinkedHashMap) for the pool benchmarks on this branch. The replacement policies
 * (and the pool's default) live in their own package; the pool benchmarks take whichever policy factory they
 * are given, and this one keeps them independent of it.
 */
public final class BenchLruReplacer implements Replacer {

  private final int capacity;
  private final LinkedHashMap<Long, Boolean> order;

  public BenchLruReplacer(int capacity) {
    this.capacity = capacity;
    this.order = new LinkedHashMap<>(capacity * 2, 0.75f, true);
  }

  @Override public String name() { return "bench-lru"; }
  @Override public int capacity() { return capacity; }
  @Override public int size() { return order.size(); }
  @Override public boolean contains(long pageId) { return order.containsKey(pageId); }
  @Override public void recordHit(long pageId) { order.get(pageId); }
  @Override public void remove(long pageId) { order.remove(pageId); }

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
}
