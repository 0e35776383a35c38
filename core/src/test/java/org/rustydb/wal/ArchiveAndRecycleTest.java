package org.rustydb.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveAndRecycleTest {

  @TempDir Path dir;

  private static final int SEG = 64 << 10;

  private static long fill(WalWriter w, Random rnd, int segments) {
    long last = Lsn.NULL;
    while (Lsn.segment(w.currentLsn(), SEG) < 1 + segments) {
      last = w.append(new LogRecord.Update(1, 0, 1, 1, WalTesting.bytes(rnd, 3000), new byte[0]));
    }
    w.flushUpTo(last);
    return last;
  }

  @Test
  void recyclingRenamesOldSegmentsIntoFutureOnes() {
    Random rnd = new Random(WalTesting.seed("recyclingRenamesOldSegmentsIntoFutureOnes"));
    WalOptions o = WalTesting.small().toBuilder().minReadySegments(1).maxReadySegments(2).build();
    long keepFrom;
    try (WalWriter w = WalWriter.open(dir, o)) {
      fill(w, rnd, 4);
      keepFrom = w.append(new LogRecord.CheckpointBegin(7, 3));
      w.flushUpTo(keepFrom);
      w.recycleBefore(keepFrom);
      var s = w.stats();
      assertThat(w.oldestSegment()).isEqualTo(Lsn.segment(keepFrom, SEG));
      assertThat(s.segmentsRecycled() + s.segmentsRemoved()).isEqualTo(Lsn.segment(keepFrom, SEG) - 1);
      assertThat(s.segmentsRecycled()).isGreaterThan(0);
      // Writing on uses the recycled files: no new file for a while.
      long created = s.segmentsCreated();
      fill(w, rnd, (int) Lsn.segment(w.currentLsn(), SEG));
      assertThat(w.stats().segmentsCreated()).isEqualTo(created);
    }
    // The log now starts at the kept segment, and its stale recycled contents never read as records.
    List<WalTesting.Entry> all = WalTesting.readAll(dir.resolve("wal"));
    assertThat(all.getFirst().lsn()).isEqualTo(Lsn.of(Lsn.segment(keepFrom, SEG), SegmentHeaderLayout.SIZE, SEG));
    assertThat(all).contains(new WalTesting.Entry(keepFrom, LogRecordLayout.HEADER_SIZE + 16, new LogRecord.CheckpointBegin(7, 3)));
    try (WalWriter w = WalWriter.open(dir, o)) {
      assertThat(w.currentLsn()).isEqualTo(WalTesting.endOf(dir.resolve("wal")));
    }
  }

  @Test
  void archivingRetriesFailuresAndNeverRecyclesAnUnarchivedSegment() throws IOException {
    Random rnd = new Random(WalTesting.seed("archivingRetriesFailures"));
    AtomicInteger failuresLeft = new AtomicInteger(2);
    AtomicBoolean archiveDown = new AtomicBoolean(false);
    SegmentArchiver flaky = (segment, target) -> {
      if (archiveDown.get()) throw new IOException("injected: archive volume unavailable");
      if (failuresLeft.getAndDecrement() > 0) throw new IOException("injected: archive write failed");
      GzipSegmentArchiver.INSTANCE.archive(segment, target);
    };
    WalOptions o = WalTesting.small().toBuilder().archiving(true).archiver(flaky)
        .archiveRetryInitialDelay(Duration.ofMillis(1)).archiveRetryMaxDelay(Duration.ofMillis(20)).build();
    try (WalWriter w = WalWriter.open(dir, o)) {
      fill(w, rnd, 3);
      WalTesting.await(() -> w.stats().segmentsArchived() >= 3, "three segments archived");
      assertThat(w.stats().archiveFailures()).isEqualTo(2);
      for (long s = 1; s <= 3; s++) {
        Path gz = dir.resolve("archive").resolve(SegmentNames.name(s) + ".gz");
        assertThat(gz).exists();
        assertThat(headerOf(gz)).isEqualTo(new SegmentHeader(1, SEG, s, 16 << 10));
      }

      // With the archive down, recycling stops at the first unarchived segment.
      archiveDown.set(true);
      long before = w.stats().archiveFailures();
      fill(w, rnd, 6);
      WalTesting.await(() -> w.stats().archiveFailures() > before + 2, "failures are retried");
      long mark = w.append(new LogRecord.CheckpointBegin(1, 1));
      w.flushUpTo(mark);
      w.recycleBefore(mark);
      assertThat(w.oldestSegment()).isEqualTo(4);
      for (long s = 4; s < Lsn.segment(mark, SEG); s++) {
        assertThat(dir.resolve("wal").resolve(SegmentNames.name(s))).exists();
      }

      // Once the archive is back, the archiver archives them and recycles them after.
      archiveDown.set(false);
      WalTesting.await(() -> w.oldestSegment() == Lsn.segment(mark, SEG), "archived segments recycled");
      for (long s = 1; s < Lsn.segment(mark, SEG); s++) {
        assertThat(dir.resolve("archive").resolve(SegmentNames.name(s) + ".gz")).exists();
      }
    }
  }

  private static SegmentHeader headerOf(Path gz) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      byte[] b = in.readNBytes(SegmentHeaderLayout.SIZE);
      return SegmentHeader.decode(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), gz, b.length);
    }
  }
}
