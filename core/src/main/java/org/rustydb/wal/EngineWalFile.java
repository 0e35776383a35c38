package org.rustydb.wal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.rustydb.io.FileOpenOptions;
import org.rustydb.io.IoEngine;
import org.rustydb.io.IoFile;
import org.rustydb.io.IoRequest;

/**
 * {@link WalFile} over an {@link IoEngine}: segment writes and fdatasyncs become engine requests. Handed
 * the I/O scheduler's {@code CRITICAL} lane ({@code IoScheduler.lane(IoPriority.CRITICAL)}), the log's
 * I/O goes ahead of every queued checkpoint, user and background request when the device is saturated.
 *
 * <p>Each write and sync is one request through the engine's {@link IoEngine#execute}, which the caller
 * waits for: on the CRITICAL lane of a scheduler over io_uring it runs on the caller's thread (a
 * {@code pwrite} or {@code fdatasync}, no hand-off to the ring thread) unless a write it must follow is
 * still pending; elsewhere it is submitted. Reads (recovery) are submitted. Buffers the engine cannot take (heap buffers, for
 * the engines that need native memory) are copied through a direct buffer; the writer's own log buffer
 * is direct and goes as it is. Engine failures arrive as {@link IOException}s wrapping the engine's
 * exception (the {@link WalFile} contract), so the writer treats them as it treats any failed write or
 * fsync: never retried, the log turns failed.
 */
public final class EngineWalFile implements WalFile {

  private final IoEngine engine;
  private final IoFile file;

  private EngineWalFile(IoEngine engine, IoFile file) {
    this.engine = engine;
    this.file = file;
  }

  /**
   * Stands for "the database's own I/O engine, CRITICAL lane" in {@code DatabaseOptions.walFiles}: the
   * database replaces it with {@link #factory}{@code (its scheduler's CRITICAL lane)} when it opens, since
   * the engine does not exist before. Over io_uring a commit's write and fdatasync then run inline on the
   * committing thread (no hand-off to the ring thread); still not the default, because a commit through
   * the engine's bookkeeping costs measurably more CPU than a {@code FileChannel} {@code pwrite} +
   * {@code fdatasync} (about half the commit rate where an fsync is free, on tmpfs), and the portable engine
   * cannot run inline at all (docs/benchmarks.md, "The WAL's CRITICAL lane on the caller's thread").
   * Opening a file through it anywhere else is a programming error.
   */
  public static final WalFile.Factory DATABASE_ENGINE = new WalFile.Factory() {
    @Override
    public WalFile open(Path path, boolean readOnly) {
      throw new IllegalStateException("EngineWalFile.DATABASE_ENGINE stands for a database's I/O engine and opens"
          + " no file itself (" + path + "): pass it in DatabaseOptions.walFiles, or use EngineWalFile.factory(engine)");
    }

    @Override
    public String toString() {
      return "the database's I/O engine, CRITICAL lane";
    }
  };

  /** A factory opening segment files through {@code engine} (which the caller keeps open and closes). */
  public static WalFile.Factory factory(IoEngine engine) {
    return (path, readOnly) -> open(engine, path, readOnly);
  }

  public static EngineWalFile open(IoEngine engine, Path path, boolean readOnly) throws IOException {
    try {
      return new EngineWalFile(engine, engine.open(path, readOnly ? FileOpenOptions.readOnly() : FileOpenOptions.createReadWrite()));
    } catch (RuntimeException e) {
      throw new IOException("cannot open WAL segment " + path + " through the " + engine.name() + " engine: " + e, e);
    }
  }

  @Override
  public void write(ByteBuffer src, long position) throws IOException {
    int n = src.remaining();
    if (n == 0) return;
    ByteBuffer direct = src;
    if (!src.isDirect()) {
      direct = ByteBuffer.allocateDirect(n);
      direct.put(src.duplicate()).flip();
    }
    long done = await(engine.execute(new IoRequest.Write(file, position, MemorySegment.ofBuffer(direct))), "write");
    if (done != n) throw new IOException("short WAL write to " + file.path() + " at " + position + ": " + done + " of " + n + " bytes");
    src.position(src.position() + n);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    int n = dst.remaining();
    if (n == 0) return 0;
    ByteBuffer direct = dst.isDirect() ? dst : ByteBuffer.allocateDirect(n);
    int got = (int) await(engine.read(file, position, MemorySegment.ofBuffer(direct.duplicate().limit(direct.position() + n))), "read");
    if (direct != dst) dst.put(direct.limit(got));
    else dst.position(dst.position() + got);
    return got;
  }

  @Override
  public void force() throws IOException {
    await(engine.execute(new IoRequest.Sync(file, true)), "fdatasync");
  }

  @Override
  public long size() throws IOException {
    try {
      return file.size();
    } catch (RuntimeException e) {
      throw new IOException("cannot stat WAL segment " + file.path() + ": " + e, e);
    }
  }

  @Override
  public void close() {
    file.close();
  }

  private long await(java.util.concurrent.CompletableFuture<Long> f, String what) throws IOException {
    try {
      return IoEngine.await(f);
    } catch (RuntimeException e) {
      throw new IOException(what + " of WAL segment " + file.path() + " failed: " + e.getMessage(), e);
    }
  }
}
