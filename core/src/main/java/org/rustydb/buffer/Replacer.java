package org.rustydb.buffer;

import java.util.function.LongPredicate;

/**
 * A page replacement policy: decides which resident page leaves when a new one must come in. The buffer
 * pool and the cache simulator ({@code rustydb cachesim}) drive the same implementations.
 *
 * <p>The policy keys everything by page id (see {@code org.rustydb.disk.PageId}; the simulator uses the
 * trace's numbers), so that history such as ARC's ghost lists survives a page's eviction. It tracks the
 * resident set itself and never holds more than {@link #capacity()} resident pages.
 *
 * <p>Protocol, per reference to page {@code p}:
 * <ul>
 *   <li>{@code p} resident: {@link #recordHit(long)}.</li>
 *   <li>{@code p} not resident: {@link #admit(long, LongPredicate)}. If the resident set is full the policy
 *       first picks a victim, asking {@code tryEvict} about each candidate in its preferred order; the first
 *       candidate for which {@code tryEvict} returns {@code true} is removed from the resident set and
 *       returned. A {@code true} answer is a commitment: the caller (the pool) has claimed that frame and
 *       will evict it, so the predicate may have a side effect (a CAS on the frame's pin state). Pinned
 *       pages answer {@code false} and stay. If no candidate can be evicted, nothing is admitted and
 *       {@link #NO_ROOM} is returned.</li>
 *   <li>{@code p} leaves for another reason (its file was dropped): {@link #remove(long)}.</li>
 * </ul>
 *
 * <p>Page ids are non-negative ({@link #NONE} and {@link #NO_ROOM} are negative so they can never be a
 * page). Misuse is a programming error and throws {@link IllegalArgumentException}: a negative id,
 * {@link #recordHit} on a page that is not resident, {@link #admit} of a page that already is. An
 * {@code admit} that returns {@link #NO_ROOM} changes nothing the caller can observe. {@code tryEvict}
 * is only ever asked about resident pages, and after its first {@code true} it is not asked again in
 * that call. {@link #remove} of a page the policy does not know is a no-op.
 *
 * <p>Policies are created by name through {@link ReplacerRegistry} ({@code "default"} is the pool's
 * default). Implementations are not thread-safe; the pool serialises calls (see {@code BufferPool}).
 */
public interface Replacer {

  /** Returned by {@link #admit} when a page was admitted into free room and nothing was evicted. */
  long NONE = -1L;

  /** Returned by {@link #admit} when the set is full and every candidate refused eviction. */
  long NO_ROOM = -2L;

  /** The policy's short name as the CLI spells it ({@code lru}, {@code arc}, ...). */
  String name();

  /** The most resident pages this policy holds. */
  int capacity();

  /** The number of resident pages now. */
  int size();

  /** Whether {@code pageId} is resident in this policy's view. */
  boolean contains(long pageId);

  /** A reference to a resident page. */
  void recordHit(long pageId);

  /**
   * A reference to a page that is not resident: makes it resident, evicting one page if the set is full.
   *
   * @return the evicted page id, {@link #NONE} if there was free room, or {@link #NO_ROOM} if the set is
   *     full and {@code tryEvict} refused every candidate (then {@code pageId} is not admitted)
   */
  long admit(long pageId, LongPredicate tryEvict);

  /** Drops a resident page (and any history of it) without choosing it as a victim. */
  void remove(long pageId);

  /** The sizes of the policy's lists, for {@code BufferPoolStats}; policies without lists report zeros. */
  default ReplacerSizes sizes() {
    return new ReplacerSizes(size(), 0, 0, 0, 0);
  }

  /** List sizes in ARC's terms: T1/T2 resident, B1/B2 ghosts, and an isolated scan list. */
  record ReplacerSizes(int t1, int t2, int b1, int b2, int scan) {}
}
