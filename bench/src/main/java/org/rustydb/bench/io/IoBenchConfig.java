package org.rustydb.bench.io;

import java.nio.file.Path;
import java.util.Objects;
import org.rustydb.io.IoOptions;

/**
 * One run of the I/O benchmark: {@code depth} requests of {@code blockSize} bytes kept in flight against
 * {@code file} (O_DIRECT) for {@code seconds}, after a short warm-up.
 *
 * @param engine {@link IoOptions.Kind#URING} or {@link IoOptions.Kind#FILE_CHANNEL}
 * @param pattern what to issue
 * @param blockSize bytes per request, a multiple of 4096
 * @param depth requests in flight
 * @param file the file; created and filled with random bytes up to {@code size} if shorter
 * @param size bytes of the file the requests spread over
 * @param seconds measured duration
 * @param warmupSeconds unmeasured lead-in
 * @param callers who issues the requests
 */
public record IoBenchConfig(
    IoOptions.Kind engine, Pattern pattern, int blockSize, int depth, Path file, long size, double seconds,
    double warmupSeconds, Callers callers) {

  /**
   * Who issues the requests. {@code CALLBACK}: each completion's callback issues the next request (for
   * io_uring that is the ring thread, as in fio's loop). {@code THREADS}: {@code depth} threads, each
   * submitting one request and waiting for it, as the disk manager's callers do (fio's psync with
   * {@code depth} jobs is the synchronous peer).
   */
  public enum Callers {
    CALLBACK, THREADS
  }

  public IoBenchConfig(IoOptions.Kind engine, Pattern pattern, int blockSize, int depth, Path file, long size,
      double seconds, double warmupSeconds) {
    this(engine, pattern, blockSize, depth, file, size, seconds, warmupSeconds, Callers.CALLBACK);
  }

  /** The access pattern. */
  public enum Pattern {
    RANDREAD, SEQREAD, RANDWRITE;

    public String cliName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public IoBenchConfig {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(callers, "callers");
    if (engine == IoOptions.Kind.AUTO) throw new IllegalArgumentException("name an engine: uring or filechannel");
    if (blockSize <= 0 || blockSize % 4096 != 0) throw new IllegalArgumentException("block must be a multiple of 4k");
    if (depth < 1 || depth > 1024) throw new IllegalArgumentException("depth must be in 1..1024: " + depth);
    if (size < blockSize || size % blockSize != 0) {
      throw new IllegalArgumentException("size must be a positive multiple of the block size: " + size);
    }
    if (!(seconds > 0)) throw new IllegalArgumentException("seconds must be positive");
    if (warmupSeconds < 0) throw new IllegalArgumentException("negative warm-up");
  }

  public String engineName() {
    return engine == IoOptions.Kind.URING ? "uring" : "filechannel";
  }
}
