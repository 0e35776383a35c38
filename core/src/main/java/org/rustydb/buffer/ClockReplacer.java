package org.rustydb.buffer;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * CLOCK (second chance; Corbató, "A Paging Experiment with the Multics System", 1968): the resident pages
 * sit in a circle of slots, each with a reference bit set on a hit. To evict, the hand sweeps: a page with
 * its bit set loses the bit and is passed over, the first page without it is the victim. An approximation
 * of LRU whose hit costs one store, which is why real buffer pools (PostgreSQL's clock sweep) use it.
 *
 * <p>A sweep takes at most two turns of the circle: the first clears every bit, the second asks every
 * page; if {@code tryEvict} refused them all the answer is {@link #NO_ROOM}. A new page starts with its
 * bit clear, just behind the hand, so it is the last page the next turn reaches.
 */
public final class ClockReplacer extends AbstractReplacer {

  private static final long EMPTY = -1L;

  private final long[] slots;
  private final boolean[] referenced;
  private final int[] freeSlots;
  private final LongIntHashMap slotOf;
  private int freeCount;
  private int hand;

  public ClockReplacer(int capacity) {
    super("clock", capacity);
    slots = new long[capacity];
    referenced = new boolean[capacity];
    freeSlots = new int[capacity];
    slotOf = new LongIntHashMap(capacity);
    Arrays.fill(slots, EMPTY);
    // Free slots are handed out in index order, so a filling cache is a plain FIFO circle.
    for (int i = 0; i < capacity; i++) freeSlots[i] = capacity - 1 - i;
    freeCount = capacity;
  }

  @Override
  public int size() {
    return slotOf.size();
  }

  @Override
  public boolean contains(long pageId) {
    return slotOf.get(pageId) != LongIntHashMap.ABSENT;
  }

  @Override
  public void recordHit(long pageId) {
    int s = slotOf.get(pageId);
    if (s == LongIntHashMap.ABSENT) throw notResident(pageId);
    referenced[s] = true;
  }

  @Override
  public long admit(long pageId, LongPredicate tryEvict) {
    checkPageId(pageId);
    if (slotOf.get(pageId) != LongIntHashMap.ABSENT) throw alreadyResident(pageId);
    if (freeCount > 0) {
      int s = freeSlots[--freeCount];
      place(pageId, s);
      return NONE;
    }
    for (int step = 0; step < 2 * capacity; step++) {
      int s = hand;
      hand = (hand + 1) % capacity;
      long candidate = slots[s];
      if (candidate == EMPTY) continue;
      if (referenced[s]) {
        referenced[s] = false;
        continue;
      }
      if (tryEvict.test(candidate)) {
        slotOf.remove(candidate);
        place(pageId, s);
        return candidate;
      }
    }
    return NO_ROOM;
  }

  @Override
  public void remove(long pageId) {
    int s = slotOf.remove(pageId);
    if (s == LongIntHashMap.ABSENT) return;
    slots[s] = EMPTY;
    referenced[s] = false;
    freeSlots[freeCount++] = s;
  }

  private void place(long pageId, int s) {
    slots[s] = pageId;
    referenced[s] = false;
    slotOf.put(pageId, s);
  }
}
