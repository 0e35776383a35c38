package org.rustydb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.rustydb.page.PageLayout;
import org.rustydb.testing.Seeds;

/** Shared helpers of the WAL tests: random records, reading a whole log, waiting for a condition. */
final class WalTesting {

  private WalTesting() {}

  /** The seed to use: -Drustydb.seed=N to reproduce, else a fresh one; printed either way. */
  static long seed(String test) {
    return Seeds.of(test, "rustydb.seed");
  }

  static WalOptions small() {
    return WalOptions.builder().segmentSize(64 << 10).bufferSize(16 << 10).build();
  }

  /** A random record of any caller-writable type, payloads up to {@code maxPayload} bytes. */
  static LogRecord randomRecord(Random rnd, int maxPayload) {
    long txn = 1 + rnd.nextInt(1000);
    long prev = rnd.nextBoolean() ? Lsn.NULL : rnd.nextLong(1L << 40);
    long page = org.rustydb.disk.PageId.of(1 + rnd.nextInt(100), rnd.nextInt(100_000));
    return switch (rnd.nextInt(9)) {
      case 0 -> new LogRecord.Begin(txn, prev);
      case 1 -> new LogRecord.Commit(txn, prev, rnd.nextLong(1L << 42));
      case 2 -> new LogRecord.Abort(txn, prev);
      case 3, 4 -> new LogRecord.Update(txn, prev, rnd.nextInt(65536), page, bytes(rnd, rnd.nextInt(maxPayload / 2 + 1)),
          bytes(rnd, rnd.nextInt(maxPayload / 2 + 1)));
      case 5 -> new LogRecord.Compensation(txn, prev, rnd.nextInt(65536), page, rnd.nextLong(1L << 40),
          bytes(rnd, rnd.nextInt(maxPayload + 1)));
      case 6 -> new LogRecord.FullPageImage(txn, prev, page, bytes(rnd, PageLayout.PAGE_SIZE));
      case 7 -> new LogRecord.CheckpointBegin(rnd.nextLong(1L << 42), rnd.nextLong(1L << 40));
      default -> {
        int d = rnd.nextInt(20), a = rnd.nextInt(20);
        yield new LogRecord.CheckpointEnd(rnd.nextLong(1L << 40), longs(rnd, d), longs(rnd, d), longs(rnd, a), longs(rnd, a));
      }
    };
  }

  static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  static long[] longs(Random rnd, int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) a[i] = rnd.nextLong();
    return a;
  }

  record Entry(long lsn, int length, LogRecord record) {}

  /** Every record of the log from its start, segment switches left out; plus the end LSN as the last entry's lsn. */
  static List<Entry> readAll(Path walDir) {
    List<Entry> out = new ArrayList<>();
    try (WalReader r = WalReader.open(walDir)) {
      while (r.next()) {
        if (!(r.record() instanceof LogRecord.SegmentSwitch)) out.add(new Entry(r.lsn(), r.length(), r.record()));
      }
    }
    return out;
  }

  static long endOf(Path walDir) {
    try (WalReader r = WalReader.open(walDir)) {
      while (r.next()) {
        // to the end
      }
      return r.endLsn();
    }
  }

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("gave up waiting for: " + what);
      LockSupport.parkNanos(1_000_000);
    }
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x10));
      b.rewind();
      ch.write(b, offset);
    }
  }

  static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var s = Files.list(from)) {
      for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
