package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rustydb.disk.DiskManagerTest.fill;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rustydb.DatabaseFailedException;

/** A failed fsync is never retried as if the data were safe: the disk manager turns read-only. */
class FsyncFailureTest {

  @TempDir Path tmp;

  @Test
  void aFailedSyncMakesTheDiskManagerReadOnly() {
    AtomicBoolean failForce = new AtomicBoolean();
    PageFileChannel.Opener opener = (path, options) -> new FailingForce(FileChannel.open(path, options), failForce);
    try (DataDirectory dir = DataDirectory.create(tmp.resolve("db"));
        DiskManager dm = DiskManager.open(dir, DiskOptions.defaults(), opener)) {
      int f = dm.createFile("t.dat");
      long p = dm.allocatePage(f);
      MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
      fill(page, p, 1);
      dm.writePage(p, page);
      failForce.set(true);
      assertThatThrownBy(() -> dm.sync(f))
          .isInstanceOf(DatabaseFailedException.class)
          .hasMessageContaining("fsync of")
          .hasMessageContaining("t.dat")
          .hasMessageContaining("read-only");
      failForce.set(false);
      assertThatThrownBy(() -> dm.writePage(p, page)).isInstanceOf(DatabaseFailedException.class);
      assertThatThrownBy(() -> dm.sync(f)).as("not retried as if it worked").isInstanceOf(DatabaseFailedException.class);
      assertThatThrownBy(() -> dm.allocatePage(f)).isInstanceOf(DatabaseFailedException.class);
      assertThatThrownBy(() -> dm.createFile("u.dat")).isInstanceOf(DatabaseFailedException.class);
      // The writes the failed fsync covered may be gone while the old bytes are still on disk: reading the
      // file back could hand those out, so its reads are refused too.
      assertThatThrownBy(() -> dm.readPage(p, page)).isInstanceOf(DatabaseFailedException.class)
          .hasMessageContaining("t.dat").hasMessageContaining("after its fsync failed");
    }
  }

  /** Delegates to a real channel; {@code force} fails while the flag is set. */
  static class FailingForce extends FileChannel {
    private final FileChannel d;
    private final AtomicBoolean fail;

    FailingForce(FileChannel d, AtomicBoolean fail) {
      this.d = d;
      this.fail = fail;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (fail.get()) throw new IOException("Input/output error (injected)");
      d.force(metaData);
    }

    @Override public int read(ByteBuffer dst) throws IOException { return d.read(dst); }
    @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return d.read(dsts, offset, length); }
    @Override public int write(ByteBuffer src) throws IOException { return d.write(src); }
    @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException { return d.write(srcs, offset, length); }
    @Override public long position() throws IOException { return d.position(); }
    @Override public FileChannel position(long p) throws IOException { d.position(p); return this; }
    @Override public long size() throws IOException { return d.size(); }
    @Override public FileChannel truncate(long size) throws IOException { d.truncate(size); return this; }
    @Override public long transferTo(long position, long count, WritableByteChannel target) throws IOException { return d.transferTo(position, count, target); }
    @Override public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException { return d.transferFrom(src, position, count); }
    @Override public int read(ByteBuffer dst, long position) throws IOException { return d.read(dst, position); }
    @Override public int write(ByteBuffer src, long position) throws IOException { return d.write(src, position); }
    @Override public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException { return d.map(mode, position, size); }
    @Override public FileLock lock(long position, long size, boolean shared) throws IOException { return d.lock(position, size, shared); }
    @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException { return d.tryLock(position, size, shared); }
    @Override protected void implCloseChannel() throws IOException { d.close(); }
  }
}
