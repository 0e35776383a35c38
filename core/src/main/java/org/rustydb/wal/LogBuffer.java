package org.rustydb.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bytes of records appended but not yet written, in LSN order. The bytes are contiguous; the LSNs
 * are contiguous within a segment and jump at a segment switch, so the buffer keeps "runs": where each
 * contiguous LSN range starts in the buffer. Not thread-safe: the writer guards it.
 */
final class LogBuffer {

  final ByteBuffer bytes;
  private long[] runLsn = new long[4];
  private int[] runStart = new int[4];
  private int runs;
  private long endLsn;
  /** Whether the writer thread was asked to write this buffer out ({@link WalWriter#append}); reset by clear. */
  boolean writeRequested;

  LogBuffer(int capacity) {
    bytes = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  boolean isEmpty() {
    return bytes.position() == 0;
  }

  int remaining() {
    return bytes.remaining();
  }

  /** Whether at least half of the buffer is taken. */
  boolean halfFull() {
    return bytes.position() >= bytes.capacity() / 2;
  }

  /** Reserves {@code size} bytes for the record at {@code lsn}; returns their index in {@link #bytes}. */
  int reserve(long lsn, int size) {
    int at = bytes.position();
    if (runs == 0 || endLsn != lsn) {
      if (runs == runLsn.length) {
        runLsn = Arrays.copyOf(runLsn, runs * 2);
        runStart = Arrays.copyOf(runStart, runs * 2);
      }
      runLsn[runs] = lsn;
      runStart[runs] = at;
      runs++;
    }
    bytes.position(at + size);
    endLsn = lsn + size;
    return at;
  }

  int runs() {
    return runs;
  }

  long runLsn(int i) {
    return runLsn[i];
  }

  int runStart(int i) {
    return runStart[i];
  }

  int runEnd(int i) {
    return i + 1 < runs ? runStart[i + 1] : bytes.position();
  }

  /** The LSN just after the last byte. */
  long endLsn() {
    return endLsn;
  }

  void clear() {
    bytes.clear();
    runs = 0;
    writeRequested = false;
  }
}
