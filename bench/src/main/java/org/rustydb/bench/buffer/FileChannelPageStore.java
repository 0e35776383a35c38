package org.rustydb.bench.buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.rustydb.OperationFailedException;
import org.rustydb.disk.PageFileStore;
import org.rustydb.disk.PageId;

/**
 * A minimal real-file {@link PageFileStore} for the pool benchmarks (the disk manager lives on its own branch):
 * one file per file id in a directory, positional reads and writes through {@link FileChannel}, optionally
 * with O_DIRECT ({@code com.sun.nio.file.ExtendedOpenOption.DIRECT}) so that reads pay the device's latency
 * rather than the page cache's. With O_DIRECT, buffers must be 4096-aligned: the pool's frames are.
 */
public final class FileChannelPageStore implements PageFileStore {

  /** {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} (jdk.unsupported), looked up so that a JDK without it still runs. */
  private static final OpenOption DIRECT = directOption();

  private final Path dir;
  private final boolean direct;
  private final ConcurrentHashMap<Integer, FileChannel> channels = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, AtomicLong> sizes = new ConcurrentHashMap<>();

  public FileChannelPageStore(Path dir, boolean direct) {
    this.dir = dir;
    this.direct = direct && DIRECT != null;
  }

  public boolean direct() {
    return direct;
  }

  /** Whether O_DIRECT opens in {@code dir} (some file systems, such as tmpfs, refuse it). */
  public static boolean directSupported(Path dir) {
    if (DIRECT == null) return false;
    Path probe = dir.resolve(".direct-probe");
    try {
      FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ, DIRECT)
          .close();
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // probe file left behind: harmless
      }
    }
  }

  private static OpenOption directOption() {
    try {
      return (OpenOption) Class.forName("com.sun.nio.file.ExtendedOpenOption").getField("DIRECT").get(null);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return null;
    }
  }

  /** Creates (or truncates to) file {@code fileId} of {@code pages} zeroed pages (which the pool reads as never written). */
  public void createFile(int fileId, long pages) {
    Path p = dir.resolve("file-" + fileId + ".pages");
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer chunk = ByteBuffer.allocateDirect(256 * PAGE_SIZE);
      for (long no = 0; no < pages; ) {
        int n = (int) Math.min(256, pages - no);
        chunk.clear().limit(n * PAGE_SIZE);
        while (chunk.hasRemaining()) ch.write(chunk, no * PAGE_SIZE + chunk.position());
        no += n;
      }
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sizes.put(fileId, new AtomicLong(pages));
    FileChannel old = channels.remove(fileId);
    if (old != null) closeQuietly(old);
  }

  private FileChannel channel(int fileId) {
    FileChannel ch = channels.get(fileId);
    if (ch != null) return ch;
    return channels.computeIfAbsent(fileId, id -> {
      Path p = dir.resolve("file-" + id + ".pages");
      if (!Files.exists(p)) throw new OperationFailedException("file " + id + " does not exist in " + dir);
      try {
        OpenOption[] opts = direct
            ? new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE, DIRECT}
            : new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
        return FileChannel.open(p, opts);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  @Override
  public void readPage(long pageId, MemorySegment dst) {
    int fileId = PageId.fileId(pageId);
    long no = PageId.pageNo(pageId);
    AtomicLong size = sizes.get(fileId);
    if (size == null || no >= size.get()) {
      throw new OperationFailedException("page " + PageId.toString(pageId) + " is past the end of its file");
    }
    ByteBuffer bb = dst.asByteBuffer();
    try {
      FileChannel ch = channel(fileId);
      while (bb.hasRemaining()) {
        if (ch.read(bb, no * PAGE_SIZE + bb.position()) < 0) {
          throw new OperationFailedException("page " + PageId.toString(pageId) + ": unexpected end of file");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading page " + PageId.toString(pageId), e);
    }
  }

  @Override
  public void writePage(long pageId, MemorySegment src) {
    int fileId = PageId.fileId(pageId);
    long no = PageId.pageNo(pageId);
    ByteBuffer bb = src.asByteBuffer();
    try {
      FileChannel ch = channel(fileId);
      while (bb.hasRemaining()) ch.write(bb, no * PAGE_SIZE + bb.position());
    } catch (IOException e) {
      throw new UncheckedIOException("writing page " + PageId.toString(pageId), e);
    }
    sizes.computeIfAbsent(fileId, k -> new AtomicLong()).accumulateAndGet(no + 1, Math::max);
  }

  @Override
  public long allocatePage(int fileId) {
    return PageId.of(fileId, sizes.computeIfAbsent(fileId, k -> new AtomicLong()).getAndIncrement());
  }

  @Override
  public void freePage(long pageId) {
    // The benchmark never frees pages; a freed page is simply not reused.
  }

  @Override
  public void sync(int fileId) {
    try {
      channel(fileId).force(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    channels.values().forEach(FileChannelPageStore::closeQuietly);
    channels.clear();
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing a channel we only read from
    }
  }
}
