package org.rustydb.buffer;

/**
 * Predicts the next pages of one file from the recent page numbers referenced in it (spec "Adaptive
 * Prefetching"). Patterns, tried in this order on each new access:
 * <ul>
 *   <li><b>sequential</b> forward or backward: the last two steps were both +1 (or both -1);</li>
 *   <li><b>strided</b>: the last two steps were equal and neither 0 nor +-1 (an index walking every k-th page);</li>
 *   <li><b>temporal</b>: the page was seen before in the history and the page referenced just before it then
 *       is the page referenced just before it now (a repeating page set, such as a nested-loop join's inner
 *       pages): predict what followed it last time.</li>
 * </ul>
 * A mixed ("hybrid") stream is handled by re-detecting on every access, so the prediction follows whichever
 * pattern the latest references show. A repeated reference to the same page is ignored. Not thread-safe: the
 * {@link Prefetcher} keeps one per file and calls it under that file's monitor.
 */
final class AccessPatternDetector {

  enum Pattern { NONE, SEQUENTIAL_FORWARD, SEQUENTIAL_BACKWARD, STRIDED, TEMPORAL }

  static final int HISTORY = 64;

  private final long[] history = new long[HISTORY];
  private long count; // accesses recorded
  private Pattern last = Pattern.NONE;

  /** The pattern found at the latest access. */
  Pattern pattern() {
    return last;
  }

  /**
   * Records a reference to {@code pageNo} and writes up to {@code depth} predicted page numbers (never
   * negative, nearest first) into {@code out}.
   *
   * @return how many predictions were written
   */
  int access(long pageNo, int depth, long[] out) {
    if (count > 0 && at(0) == pageNo) return 0;
    history[(int) (count % HISTORY)] = pageNo;
    count++;
    int n = Math.min(depth, out.length);
    if (count >= 3) {
      long d1 = at(0) - at(1);
      long d2 = at(1) - at(2);
      if (d1 == d2 && d1 != 0) {
        last = d1 == 1 ? Pattern.SEQUENTIAL_FORWARD : d1 == -1 ? Pattern.SEQUENTIAL_BACKWARD : Pattern.STRIDED;
        int w = 0;
        for (int k = 1; k <= n; k++) {
          long p = pageNo + d1 * k;
          if (p < 0) break;
          out[w++] = p;
        }
        return w;
      }
    }
    if (count >= 2) {
      long prev = at(1);
      long span = Math.min(count, HISTORY);
      for (int back = 2; back < span; back++) {
        if (at(back) == pageNo && back + 1 < span && at(back + 1) == prev) {
          last = Pattern.TEMPORAL;
          int w = 0;
          for (int k = back - 1; k >= 1 && w < n; k--) {
            out[w++] = at(k);
          }
          return w;
        }
      }
    }
    last = Pattern.NONE;
    return 0;
  }

  /** The page number {@code back} accesses ago (0 = the latest). */
  private long at(int back) {
    return history[(int) ((count - 1 - back) % HISTORY)];
  }
}
