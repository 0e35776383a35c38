package org.rustydb.buffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rustydb.disk.PageId;

/**
 * The spec's write combining ("Dirty Page Flushing"): dirty pages sorted by page id are grouped into
 * batches of pages of one file lying within {@code distance} pages of their predecessor, at most
 * {@code maxBatch} pages each (spec: 10 and 64). A batch is written in page order, one write operation per
 * <em>contiguous run</em> of pages in it ({@link org.rustydb.disk.PageFileStore#writePages}); the gaps of up
 * to {@code distance} pages only keep neighbours in one batch (one pass over the file region, submitted
 * together), they are not written. Writes saved by combining = pages - runs.
 */
public final class WriteCombiner {

  /** One batch: page ids of one file in ascending order. */
  public record Batch(long[] pages) {
    /** Contiguous runs in the batch: the write operations it costs. */
    public int runs() {
      int runs = 0;
      for (int i = 0; i < pages.length; i++) {
        if (i == 0 || pages[i] != pages[i - 1] + 1) runs++;
      }
      return runs;
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("Batch[");
      for (int i = 0; i < pages.length; i++) b.append(i == 0 ? "" : " ").append(PageId.toString(pages[i]));
      return b.append(']').toString();
    }
  }

  private WriteCombiner() {}

  /**
   * Groups {@code pageIds} (any order, duplicates ignored; the array is sorted in place) into batches.
   *
   * @param distance the largest page-number gap between neighbours of one batch (1 = only adjacent pages)
   * @param maxBatch the most pages in one batch
   */
  public static List<Batch> group(long[] pageIds, int distance, int maxBatch) {
    if (distance < 1) throw new IllegalArgumentException("combine distance must be at least 1: " + distance);
    if (maxBatch < 1) throw new IllegalArgumentException("max batch must be at least 1: " + maxBatch);
    Arrays.sort(pageIds);
    List<Batch> batches = new ArrayList<>();
    long[] cur = new long[Math.min(maxBatch, Math.max(1, pageIds.length))];
    int n = 0;
    for (int i = 0; i < pageIds.length; i++) {
      long p = pageIds[i];
      if (i > 0 && p == pageIds[i - 1]) continue;
      if (n > 0) {
        long prev = cur[n - 1];
        boolean join = n < maxBatch && PageId.fileId(prev) == PageId.fileId(p)
            && PageId.pageNo(p) - PageId.pageNo(prev) <= distance;
        if (!join) {
          batches.add(new Batch(Arrays.copyOf(cur, n)));
          n = 0;
        }
      }
      cur[n++] = p;
    }
    if (n > 0) batches.add(new Batch(Arrays.copyOf(cur, n)));
    return batches;
  }
}
