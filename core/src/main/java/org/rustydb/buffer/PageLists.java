package org.rustydb.buffer;

/**
 * The bookkeeping most replacers share: a set of page ids, each in at most one list per <em>dimension</em>
 * (ARC's T1/T2/B1/B2 are four lists of one dimension; LIRS's stack S and queue Q are two dimensions, since
 * a resident HIR page is in both), with O(1) lookup, append, move and unlink and no allocation after
 * construction.
 *
 * <p>Nodes are {@code int} indices into parallel arrays; link fields are per (node, dimension). Node ids
 * {@code 0 .. lists-1} are the lists' sentinels (circular lists: the sentinel's next is the LRU end, its
 * prev the MRU end); real nodes follow and are recycled through a free list. A page id maps to its node
 * through one {@link LongIntHashMap}, so a reference costs one hash lookup however many lists the page is
 * in. Each node carries one spare {@code long} and one spare {@code int} for the policy (a timestamp, a
 * reference count, a status).
 */
final class PageLists {

  /** No node. */
  static final int NIL = -1;
  /** {@link #listOf} for a node that is in no list of that dimension. */
  static final int NO_LIST = -1;

  private final int lists;
  private final int dims;
  private final int[] dimOf;
  private final long[] page;
  private final int[] prev;
  private final int[] next;
  private final byte[] list;
  private final long[] stamp;
  private final int[] count;
  private final int[] sizes;
  private final LongIntHashMap index;
  private int freeHead = NIL;
  private int used;

  /** Room for {@code maxNodes} pages in {@code lists} lists of a single dimension. */
  PageLists(int lists, int maxNodes) {
    this(maxNodes, new int[lists]);
  }

  /** Room for {@code maxNodes} pages; list {@code l} belongs to dimension {@code listDims[l]}. */
  PageLists(int maxNodes, int... listDims) {
    lists = listDims.length;
    if (lists < 1 || lists > 127) throw new IllegalArgumentException("lists: " + lists);
    if (maxNodes < 1) throw new IllegalArgumentException("maxNodes: " + maxNodes);
    int d = 0;
    for (int ld : listDims) d = Math.max(d, ld + 1);
    dims = d;
    dimOf = listDims.clone();
    int n = lists + maxNodes;
    page = new long[n];
    prev = new int[n * dims];
    next = new int[n * dims];
    list = new byte[n * dims];
    stamp = new long[n];
    count = new int[n];
    sizes = new int[lists];
    index = new LongIntHashMap(maxNodes);
    java.util.Arrays.fill(list, (byte) NO_LIST);
    for (int s = 0; s < lists; s++) {
      int at = s * dims + dimOf[s];
      prev[at] = s;
      next[at] = s;
      list[at] = (byte) s;
      page[s] = -1;
    }
    used = lists;
  }

  /** The node of {@code pageId}, or {@link #NIL}. */
  int node(long pageId) {
    return index.get(pageId);
  }

  /** How many pages are in list {@code l}. */
  int size(int l) {
    return sizes[l];
  }

  /** How many pages in the set. */
  int total() {
    return index.size();
  }

  /** The list of dimension 0 that {@code node} is in, or {@link #NO_LIST}. */
  int listOf(int node) {
    return list[node * dims];
  }

  /** The list of dimension {@code dim} that {@code node} is in, or {@link #NO_LIST}. */
  int listOf(int node, int dim) {
    return list[node * dims + dim];
  }

  long page(int node) {
    return page[node];
  }

  long stamp(int node) {
    return stamp[node];
  }

  void setStamp(int node, long value) {
    stamp[node] = value;
  }

  int count(int node) {
    return count[node];
  }

  void setCount(int node, int value) {
    count[node] = value;
  }

  /** The least recently appended node of list {@code l}, or {@link #NIL} if it is empty. */
  int lru(int l) {
    int n = next[l * dims + dimOf[l]];
    return n == l ? NIL : n;
  }

  /** The most recently appended node of list {@code l}, or {@link #NIL}. */
  int mru(int l) {
    int n = prev[l * dims + dimOf[l]];
    return n == l ? NIL : n;
  }

  /** The node after {@code node} toward the MRU end of its dimension-0 list, or {@link #NIL}. */
  int newer(int node) {
    return newer(node, 0);
  }

  /** The node after {@code node} toward the MRU end of its list in {@code dim}, or {@link #NIL}. */
  int newer(int node, int dim) {
    int n = next[node * dims + dim];
    return n < lists ? NIL : n;
  }

  /** The node before {@code node} toward the LRU end of its list in {@code dim}, or {@link #NIL}. */
  int older(int node, int dim) {
    int n = prev[node * dims + dim];
    return n < lists ? NIL : n;
  }

  /** Adds a page that is not in the set, at the MRU end of list {@code l}; returns its node. */
  int add(long pageId, int l) {
    int n = create(pageId);
    link(n, l, true);
    return n;
  }

  /** Adds a page that is not in the set, in no list yet; returns its node. */
  int create(long pageId) {
    int n;
    if (freeHead != NIL) {
      n = freeHead;
      freeHead = next[n * dims];
    } else {
      if (used == page.length) throw new IllegalStateException("no free node: " + (page.length - lists));
      n = used++;
    }
    index.put(pageId, n);
    page[n] = pageId;
    stamp[n] = 0;
    count[n] = 0;
    return n;
  }

  /** Moves {@code node} to the MRU end of list {@code l}, out of its other list of that dimension. */
  void moveToMru(int node, int l) {
    unlink(node, dimOf[l]);
    link(node, l, true);
  }

  /** Moves {@code node} to the LRU end of list {@code l}, out of its other list of that dimension. */
  void moveToLru(int node, int l) {
    unlink(node, dimOf[l]);
    link(node, l, false);
  }

  /** Takes {@code node} out of its list in {@code dim} (if any); the page stays in the set. */
  void unlink(int node, int dim) {
    int at = node * dims + dim;
    int l = list[at];
    if (l == NO_LIST) return;
    int p = prev[at];
    int nx = next[at];
    next[p * dims + dim] = nx;
    prev[nx * dims + dim] = p;
    list[at] = (byte) NO_LIST;
    sizes[l]--;
  }

  /** Removes {@code node}'s page from all its lists and from the set. */
  void remove(int node) {
    for (int d = 0; d < dims; d++) unlink(node, d);
    index.remove(page[node]);
    page[node] = -1;
    next[node * dims] = freeHead;
    freeHead = node;
  }

  private void link(int node, int l, boolean atMru) {
    int dim = dimOf[l];
    int s = l * dims + dim;
    int at = node * dims + dim;
    if (atMru) {
      int last = prev[s];
      prev[at] = last;
      next[at] = l;
      next[last * dims + dim] = node;
      prev[s] = node;
    } else {
      int first = next[s];
      prev[at] = l;
      next[at] = first;
      prev[first * dims + dim] = node;
      next[s] = node;
    }
    list[at] = (byte) l;
    sizes[l]++;
  }
}
