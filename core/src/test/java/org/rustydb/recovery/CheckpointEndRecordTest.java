package org.rustydb.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.LogRecordCodec;

/**
 * The checkpoint's end record stays within the log's largest record however many pages were dirty: a pool
 * of more than ~65,000 dirty pages made the record pass 1 MiB and every checkpoint, and so close(), fail
 * (found by a JMH run inserting into a 256 MiB pool).
 */
class CheckpointEndRecordTest {

  private static final int MAX = 1_048_548; // the largest record of the default log (1 MiB buffer)

  @Test
  void aLargeDirtyPageTableIsCutToItsOldestEntriesAndEveryActiveTransactionKept() {
    Map<Long, Long> dirty = new HashMap<>();
    for (long p = 0; p < 100_000; p++) dirty.put(p, 1_000_000L - p); // page p: recovery LSN 1,000,000 - p
    long[] txns = new long[500];
    long[] lasts = new long[500];
    for (int i = 0; i < txns.length; i++) {
      txns[i] = i + 1;
      lasts[i] = 10L * i;
    }
    LogRecord.CheckpointEnd r = Checkpointer.endRecord(42, dirty, txns, lasts, MAX);
    assertThat(LogRecordCodec.size(r)).isLessThanOrEqualTo(MAX);
    assertThat(LogRecordCodec.size(r)).as("filled to within one entry").isGreaterThan(MAX - 16);
    assertThat(r.activeTxnIds()).containsExactly(txns);
    long[] ids = r.dirtyPageIds();
    long[] lsns = r.dirtyRecLsns();
    assertThat(ids.length).isLessThan(dirty.size()).isGreaterThan(60_000);
    for (int i = 0; i < ids.length; i++) {
      assertThat(ids[i]).as("entry %d: the oldest first", i).isEqualTo(99_999L - i);
      assertThat(lsns[i]).isEqualTo(dirty.get(ids[i]));
    }
  }

  @Test
  void aSmallTableIsWrittenWhole() {
    Map<Long, Long> dirty = Map.of(7L, 70L, 3L, 30L, 5L, 50L);
    LogRecord.CheckpointEnd r = Checkpointer.endRecord(42, dirty, new long[0], new long[0], MAX);
    assertThat(r.dirtyPageIds()).containsExactly(3L, 5L, 7L);
    assertThat(r.dirtyRecLsns()).containsExactly(30L, 50L, 70L);
    assertThat(r.beginLsn()).isEqualTo(42);
  }
}
