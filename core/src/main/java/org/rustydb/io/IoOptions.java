package org.rustydb.io;

import java.time.Duration;
import java.util.Objects;

/**
 * Options for {@link IoEngines#create}.
 *
 * @param engine which engine: {@link Kind#AUTO} probes io_uring and falls back to the portable engine
 * @param queueDepth io_uring submission queue entries (a power of two; the completion queue is twice as
 *     large, and that many requests may be in flight before submitters wait)
 * @param workerThreads threads of the portable engine's pool (its concurrency)
 * @param registeredFiles size of io_uring's registered-file table (0 turns registered files off)
 * @param maxIovecs the most buffers one vectored write may carry
 * @param closeTimeout how long {@code close()} waits for submitted requests to complete before failing
 *     the rest
 */
public record IoOptions(
    Kind engine, int queueDepth, int workerThreads, int registeredFiles, int maxIovecs, Duration closeTimeout) {

  /** Which engine {@link IoEngines#create} builds. */
  public enum Kind {
    AUTO,
    URING,
    FILE_CHANNEL
  }

  public IoOptions {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    if (queueDepth < 1 || queueDepth > 4096 || Integer.bitCount(queueDepth) != 1) {
      throw new IllegalArgumentException("queueDepth must be a power of two in 1..4096: " + queueDepth);
    }
    if (workerThreads < 1 || workerThreads > 1024) {
      throw new IllegalArgumentException("workerThreads must be in 1..1024: " + workerThreads);
    }
    if (registeredFiles < 0 || registeredFiles > 65536) {
      throw new IllegalArgumentException("registeredFiles must be in 0..65536: " + registeredFiles);
    }
    if (maxIovecs < 1 || maxIovecs > 1024) {
      throw new IllegalArgumentException("maxIovecs must be in 1..1024 (IOV_MAX): " + maxIovecs);
    }
    if (closeTimeout.isNegative()) throw new IllegalArgumentException("negative closeTimeout");
  }

  public static IoOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().engine(engine).queueDepth(queueDepth).workerThreads(workerThreads)
        .registeredFiles(registeredFiles).maxIovecs(maxIovecs).closeTimeout(closeTimeout);
  }

  /** Builder with the defaults: AUTO, depth 256, 4 workers, 256 registered files, 64 iovecs, 30 s. */
  public static final class Builder {
    private Kind engine = Kind.AUTO;
    private int queueDepth = 256;
    private int workerThreads = 4;
    private int registeredFiles = 256;
    private int maxIovecs = 64;
    private Duration closeTimeout = Duration.ofSeconds(30);

    public Builder engine(Kind v) {
      engine = v;
      return this;
    }

    public Builder queueDepth(int v) {
      queueDepth = v;
      return this;
    }

    public Builder workerThreads(int v) {
      workerThreads = v;
      return this;
    }

    public Builder registeredFiles(int v) {
      registeredFiles = v;
      return this;
    }

    public Builder maxIovecs(int v) {
      maxIovecs = v;
      return this;
    }

    public Builder closeTimeout(Duration v) {
      closeTimeout = v;
      return this;
    }

    public IoOptions build() {
      return new IoOptions(engine, queueDepth, workerThreads, registeredFiles, maxIovecs, closeTimeout);
    }
  }
}
