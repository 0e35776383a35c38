package org.rustydb.buffer;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * Belady's MIN (L. A. Belady, "A study of replacement algorithms for a virtual-storage computer", IBM
 * Systems Journal 5(2), 1966): evict the resident page whose next reference lies furthest in the future.
 * It needs the whole future, so it exists for the cache simulator only, as the upper bound the real
 * policies are measured against: constructed with the complete trace, it expects to be driven with exactly
 * that trace, one {@link #recordHit}/{@link #admit} per reference in order (an admit answered NO_ROOM
 * still counts as the reference), and throws {@link IllegalStateException} if it is not.
 *
 * <p>Next-use positions are precomputed backwards over the trace in O(n). The resident pages are kept in
 * an indexed binary max-heap keyed by next use (a page never used again gets a key beyond the trace,
 * distinct per page), so each reference costs O(log c) and allocates nothing.
 */
public final class OptReplacer extends AbstractReplacer {

  private final long[] trace;
  /** nextUse[i]: the position of the next reference to trace[i] after i, or a key beyond the trace. */
  private final long[] nextUse;
  private final LongIntHashMap heapIndex;
  private final long[] heapPage;
  private final long[] heapKey;
  private int heapSize;
  private int position;

  /** MIN for {@code trace} (page ids, in order) with room for {@code capacity} pages. */
  public OptReplacer(long[] trace, int capacity) {
    super("opt", capacity);
    this.trace = trace.clone();
    this.nextUse = new long[trace.length];
    LongIntHashMap last = new LongIntHashMap(Math.max(1, trace.length));
    long never = trace.length;
    for (int i = trace.length - 1; i >= 0; i--) {
      long page = trace[i];
      checkPageId(page);
      int seen = last.get(page);
      nextUse[i] = seen == LongIntHashMap.ABSENT ? never++ : seen;
      last.put(page, i);
    }
    heapIndex = new LongIntHashMap(capacity);
    heapPage = new long[capacity];
    heapKey = new long[capacity];
  }

  /** How many references have been replayed. */
  public int position() {
    return position;
  }

  @Override
  public int size() {
    return heapSize;
  }

  @Override
  public boolean contains(long pageId) {
    return heapIndex.get(pageId) != LongIntHashMap.ABSENT;
  }

  @Override
  public void recordHit(long pageId) {
    int i = heapIndex.get(pageId);
    if (i == LongIntHashMap.ABSENT) throw notResident(pageId);
    long next = advance(pageId);
    heapKey[i] = next;
    siftDown(siftUp(i));
  }

  @Override
  public long admit(long pageId, LongPredicate tryEvict) {
    checkPageId(pageId);
    if (heapIndex.get(pageId) != LongIntHashMap.ABSENT) throw alreadyResident(pageId);
    // The reference happens whether or not the page finds room, so the replay moves on either way.
    long next = advance(pageId);
    long victim = NONE;
    if (heapSize >= capacity) {
      victim = pickVictim(tryEvict);
      if (victim == NO_ROOM) return NO_ROOM;
    }
    int i = heapSize++;
    heapPage[i] = pageId;
    heapKey[i] = next;
    heapIndex.put(pageId, i);
    siftUp(i);
    return victim;
  }

  @Override
  public void remove(long pageId) {
    int i = heapIndex.get(pageId);
    if (i != LongIntHashMap.ABSENT) removeAt(i);
  }

  /** The furthest-next-use page tryEvict accepts; refused pages are skipped in decreasing next use. */
  private long pickVictim(LongPredicate tryEvict) {
    long top = heapPage[0];
    if (tryEvict.test(top)) {
      removeAt(0);
      return top;
    }
    // Rare (pinned pages): order the rest by next use, furthest first.
    long[] keys = Arrays.copyOf(heapKey, heapSize);
    Integer[] order = new Integer[heapSize];
    for (int k = 0; k < heapSize; k++) order[k] = k;
    Arrays.sort(order, (a, b) -> Long.compare(keys[b], keys[a]));
    long[] pages = Arrays.copyOf(heapPage, heapSize);
    for (int k = 1; k < order.length; k++) {
      long page = pages[order[k]];
      if (tryEvict.test(page)) {
        removeAt(heapIndex.get(page));
        return page;
      }
    }
    return NO_ROOM;
  }

  private void expect(long pageId) {
    if (position >= trace.length || trace[position] != pageId) {
      throw new IllegalStateException("opt: reference " + position + " is page " + pageId + " but the trace says "
          + (position < trace.length ? String.valueOf(trace[position]) : "end of trace"));
    }
  }

  private long advance(long pageId) {
    expect(pageId);
    return nextUse[position++];
  }

  private void removeAt(int i) {
    heapIndex.remove(heapPage[i]);
    int last = --heapSize;
    if (i != last) {
      heapPage[i] = heapPage[last];
      heapKey[i] = heapKey[last];
      heapIndex.put(heapPage[i], i);
      siftDown(siftUp(i));
    }
  }

  private int siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heapKey[parent] >= heapKey[i]) break;
      swap(i, parent);
      i = parent;
    }
    return i;
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= heapSize) return;
      int r = l + 1;
      int big = r < heapSize && heapKey[r] > heapKey[l] ? r : l;
      if (heapKey[i] >= heapKey[big]) return;
      swap(i, big);
      i = big;
    }
  }

  private void swap(int a, int b) {
    long page = heapPage[a];
    long key = heapKey[a];
    heapPage[a] = heapPage[b];
    heapKey[a] = heapKey[b];
    heapPage[b] = page;
    heapKey[b] = key;
    heapIndex.put(heapPage[a], a);
    heapIndex.put(heapPage[b], b);
  }
}
