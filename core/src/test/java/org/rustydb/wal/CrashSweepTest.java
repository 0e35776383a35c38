package org.rustydb.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.DatabaseFailedException;
import org.rustydb.wal.WalTesting.Entry;

/**
 * Sweeps a simulated crash over every I/O of a small workload (appends, SYNC commits, segment switches
 * and preparation): after each crash, unsynced writes torn sector by sector, the log must reopen without
 * a corruption error, hold every acknowledged commit, and hold nothing but a prefix of what was appended.
 */
class CrashSweepTest {

  @TempDir Path dir;

  @Test
  void everyCrashPointKeepsAcknowledgedCommitsAndReopensCleanly() throws Exception {
    long seed = WalTesting.seed("CrashSweepTest");
    WalOptions base = WalTesting.small().toBuilder().noSyncFlushInterval(Duration.ofSeconds(30)).build();
    int cases = 0;
    for (int crashAt = 0; crashAt < 160; crashAt++) {
      Random rnd = new Random(seed + crashAt);
      Path data = dir.resolve("crash-" + crashAt);
      CrashingFiles files = new CrashingFiles(rnd, crashAt);
      List<Entry> appended = new ArrayList<>();
      int acknowledged = 0;
      try {
        WalWriter w = WalWriter.open(data, base.toBuilder().fileFactory(files).build());
        try {
          while (!files.crashed() && appended.size() < 2000) {
            LogRecord r = WalTesting.randomRecord(rnd, 2000);
            boolean sync = rnd.nextInt(3) == 0;
            long lsn = w.append(r);
            appended.add(new Entry(lsn, LogRecordCodec.size(r), r));
            if (sync) {
              w.flushUpTo(lsn); // a SYNC commit: acknowledged once this returns
              acknowledged = appended.size();
            }
          }
        } catch (DatabaseFailedException expected) {
          // the crash
        } finally {
          try {
            w.close();
          } catch (DatabaseFailedException expected) {
            // closing flushes, which fails after the crash
          }
        }
      } catch (DatabaseFailedException crashedWhileOpening) {
        // nothing was appended
      }
      String what = "seed " + seed + " crash at I/O " + crashAt;
      assertThat(files.crashed()).as(what + ": the workload reached the crash").isTrue();
      Path wal = data.resolve("wal");
      boolean anySegment = java.nio.file.Files.exists(wal) && !WalReader.listSegments(wal).isEmpty();
      List<Entry> read = anySegment ? WalTesting.readAll(wal) : List.of(); // crashed before segment 1 existed
      assertThat(read.size()).as(what + ": acknowledged commits survive").isGreaterThanOrEqualTo(acknowledged);
      assertThat(read).as(what + ": the log is a prefix of what was appended").isEqualTo(appended.subList(0, read.size()));
      // Reopen, append over the lost tail: exactly the survivors and the new records, no ghost of the tail.
      List<Entry> expected = new ArrayList<>(read);
      try (WalWriter again = WalWriter.open(data, base)) {
        for (int i = 0; i < 40; i++) {
          LogRecord r = WalTesting.randomRecord(rnd, 2000);
          expected.add(new Entry(again.append(r), LogRecordCodec.size(r), r));
        }
      }
      assertThat(WalTesting.readAll(data.resolve("wal"))).as(what + ": appended after reopening").isEqualTo(expected);
      cases++;
    }
    assertThat(cases).isEqualTo(160);
  }
}
