package org.rustydb.bench.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.rustydb.bench.DataDirs;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageLayout;
import org.rustydb.wal.Durability;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.Lsn;
import org.rustydb.wal.WalOptions;
import org.rustydb.wal.WalReader;
import org.rustydb.wal.WalWriter;

/**
 * The log read speed behind {@code rustydb bench wal-replay}: writes a log of about N MB of a
 * recovery-like mix (updates of 50-500 bytes with small undo, commits, a full-page image every 50
 * records) in {@code DIR/replay}, then reads it all back with {@link WalReader} (CRC-checking and
 * decoding every record) and reports MB/s (the median of the read rounds). The first read follows the write (files likely in the page
 * cache); that is what recovery right after a crash sees when the cache survived, and the upper bound
 * otherwise.
 */
public final class ReplayBench {

  public record Result(long bytes, long records, double writeSeconds, double readSeconds) {
    public double readMegabytesPerSecond() {
      return bytes / 1e6 / readSeconds;
    }

    public double writeMegabytesPerSecond() {
      return bytes / 1e6 / writeSeconds;
    }
  }

  private ReplayBench() {}

  public static Result run(Path dir, int megabytes, int rounds) throws IOException {
    Path data = dir.resolve("replay");
    DataDirs.deleteTree(data);
    Files.createDirectories(data);
    try {
      Random rnd = new Random(42);
      byte[] image = new byte[PageLayout.PAGE_SIZE];
      rnd.nextBytes(image);
      long target = (long) megabytes * 1_000_000;
      long t0 = System.nanoTime();
      try (WalWriter w = WalWriter.open(data, WalOptions.defaults())) {
        long start = w.currentLsn();
        long prev = Lsn.NULL;
        long n = 0;
        while (w.currentLsn() - start < target) {
          long txn = 1 + (n / 10);
          LogRecord r;
          if (n % 50 == 49) {
            r = new LogRecord.FullPageImage(txn, prev, PageId.of(1, n), image);
          } else if (n % 10 == 9) {
            r = new LogRecord.Commit(txn, prev, n);
          } else {
            byte[] redo = new byte[50 + rnd.nextInt(450)];
            rnd.nextBytes(redo);
            r = new LogRecord.Update(txn, prev, 1, PageId.of(1, rnd.nextInt(100_000)), redo, new byte[16]);
          }
          if (r instanceof LogRecord.Commit) {
            w.commit(r, Durability.NO_SYNC);
            prev = Lsn.NULL;
          } else {
            prev = w.append(r);
          }
          n++;
        }
      }
      double writeSeconds = (System.nanoTime() - t0) / 1e9;
      double[] times = new double[rounds];
      long bytes = 0, records = 0;
      for (int round = 0; round < rounds; round++) {
        long r0 = System.nanoTime();
        bytes = 0;
        records = 0;
        try (WalReader reader = WalReader.open(data.resolve("wal"))) {
          while (reader.next()) {
            records++;
          }
          bytes = reader.bytesRead();
        }
        times[round] = (System.nanoTime() - r0) / 1e9;
      }
      java.util.Arrays.sort(times);
      return new Result(bytes, records, writeSeconds, times[rounds / 2]);
    } finally {
      DataDirs.deleteTree(data);
    }
  }
}
