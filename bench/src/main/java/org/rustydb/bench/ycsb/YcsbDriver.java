package org.rustydb.bench.ycsb;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.rustydb.OperationFailedException;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Workload;
import site.ycsb.WorkloadException;
import site.ycsb.measurements.Measurements;
import site.ycsb.workloads.CoreWorkload;

/**
 * Drives one YCSB phase (load or run) of YCSB's own {@link CoreWorkload} against one engine, the way YCSB's
 * {@code Client} does (one DB object per thread, the workload's {@code doInsert}/{@code doTransaction} per
 * operation), but timing every operation into an HdrHistogram so that the percentiles cover all operation
 * types together, and failing when any operation did not return OK.
 *
 * <p>A run phase may begin with unmeasured warm-up operations ({@link #WARMUP}): the same workload, the same
 * threads and DB objects, then a barrier, and only the operations after it are timed. Without them a run of
 * a million operations on a pure-Java engine measures mostly its JIT compiling the read path (RustyDB's
 * workload C reached steady state after ~2 s, a third of such a run; native engines start compiled), and the
 * warm-up also brings every engine's cache to its steady state.
 */
public final class YcsbDriver {

  /** Load inserts {@code recordcount} records; run performs {@code operationcount} transactions. */
  public enum Phase { LOAD, RUN }

  /** What one phase measured. */
  public record PhaseResult(Phase phase, long ops, long nanos, long p50Micros, long p99Micros) {
    public double opsPerSec() {
      return nanos == 0 ? 0 : ops * 1e9 / nanos;
    }
  }

  /** Receives the number of operations done so far (from any thread, often). */
  @FunctionalInterface
  public interface Progress {
    void done(long ops);
  }

  /** YCSB property (ours, not YCSB's): unmeasured run-phase operations before the measured ones. Default 0. */
  public static final String WARMUP = "rustydb.warmupcount";

  private YcsbDriver() {}

  /**
   * Runs {@code phase} of the workload in {@code props} (YCSB properties including {@code recordcount},
   * {@code operationcount}, {@code threadcount}, the {@link StoreSettings} keys and optionally {@link #WARMUP})
   * against {@code engine}. Progress counts warm-up and measured operations together.
   *
   * @throws OperationFailedException if the binding cannot be opened or any operation failed
   */
  public static PhaseResult run(YcsbEngine engine, Properties props, Phase phase, Progress progress) {
    return run(engine.cliName(), engine::newBinding, props, phase, progress);
  }

  /** As {@link #run(YcsbEngine, Properties, Phase, Progress)} with any binding (tests inject failing ones). */
  static PhaseResult run(String engineName, java.util.function.Supplier<DB> bindings, Properties props, Phase phase,
      Progress progress) {
    int threads = Integer.parseInt(props.getProperty(StoreSettings.THREADS, "1"));
    long total = Long.parseLong(props.getProperty(phase == Phase.LOAD ? "recordcount" : "operationcount"));
    long warmup = phase == Phase.LOAD ? 0 : warmupCount(props);
    Measurements.setProperties(props);
    Workload workload = new CoreWorkload();
    try {
      workload.init(props);
    } catch (WorkloadException e) {
      throw new OperationFailedException("workload: " + e.getMessage(), e);
    }
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<DB> dbs = new ArrayList<>();
    List<Object> states = new ArrayList<>();
    boolean finished = false;
    try {
      for (int t = 0; t < threads; t++) {
        DB db = new CountingDb(bindings.get(), errors, firstError);
        db.setProperties(props);
        db.init();
        dbs.add(db);
        states.add(workload.initThread(props, t, threads));
      }
      AtomicLong done = new AtomicLong();
      Histogram[] hist = new Histogram[threads];
      Thread[] workers = new Thread[threads];
      AtomicReference<Throwable> crashed = new AtomicReference<>();
      long[] start = new long[1];
      // The clock starts when the last thread has finished its warm-up (at once without one); a thread that
      // fails during its warm-up leaves the phaser, so that the others do not wait for it.
      Phaser measuring = new Phaser(threads) {
        @Override
        protected boolean onAdvance(int phase, int parties) {
          start[0] = System.nanoTime();
          return true;
        }
      };
      for (int t = 0; t < threads; t++) {
        long share = total / threads + (t < total % threads ? 1 : 0);
        long warmShare = warmup / threads + (t < warmup % threads ? 1 : 0);
        DB db = dbs.get(t);
        Object state = states.get(t);
        Histogram h = hist[t] = new Histogram(3);
        workers[t] = Thread.ofPlatform().name("ycsb-" + engineName + "-" + t).start(() -> {
          boolean arrived = false;
          try {
            for (long i = -warmShare; i < share; i++) {
              if (i == 0) {
                arrived = true;
                measuring.arriveAndAwaitAdvance();
              }
              long t0 = System.nanoTime();
              boolean ok = phase == Phase.LOAD ? workload.doInsert(db, state) : workload.doTransaction(db, state);
              if (i >= 0) h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
              if (!ok) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, "the workload reported a failed " + phase.name().toLowerCase());
              }
              progress.done(done.incrementAndGet());
            }
            if (!arrived) {
              arrived = true;
              measuring.arriveAndAwaitAdvance(); // a thread with no measured share
            }
          } catch (Throwable e) {
            crashed.compareAndSet(null, e);
            if (!arrived) measuring.arriveAndDeregister();
          }
        });
      }
      for (Thread w : workers) w.join();
      long nanos = System.nanoTime() - start[0];
      if (crashed.get() != null) {
        throw new OperationFailedException(engineName + " " + phase.name().toLowerCase() + " crashed: "
            + crashed.get(), crashed.get());
      }
      if (errors.get() > 0) {
        throw new OperationFailedException(engineName + " " + phase.name().toLowerCase() + ": " + errors.get()
            + " of " + total + " operations failed; first: " + firstError.get());
      }
      Histogram all = new Histogram(3);
      for (Histogram h : hist) all.add(h);
      finished = true;
      return new PhaseResult(phase, done.get() - warmup, nanos, all.getValueAtPercentile(50), all.getValueAtPercentile(99));
    } catch (DBException | WorkloadException e) {
      throw new OperationFailedException(engineName + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OperationFailedException("interrupted", e);
    } finally {
      DBException closeFailure = null;
      for (DB db : dbs) {
        try {
          db.cleanup();
        } catch (DBException e) {
          if (closeFailure == null) closeFailure = e;
        }
      }
      // A close failure is reported only when nothing else failed first (it must not hide the cause).
      if (closeFailure != null && finished) {
        throw new OperationFailedException(engineName + ": " + closeFailure.getMessage(), closeFailure);
      }
    }
  }

  private static long warmupCount(Properties props) {
    String v = props.getProperty(WARMUP, "0");
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new OperationFailedException(WARMUP + " is not a number: " + v, e);
    }
    if (n < 0) throw new OperationFailedException(WARMUP + " must not be negative: " + n);
    return n;
  }
}
