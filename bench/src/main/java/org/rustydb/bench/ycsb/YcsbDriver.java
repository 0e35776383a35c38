package org.rustydb.bench.ycsb;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
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

  private YcsbDriver() {}

  /**
   * Runs {@code phase} of the workload in {@code props} (YCSB properties including {@code recordcount},
   * {@code operationcount}, {@code threadcount} and the {@link StoreSettings} keys) against {@code engine}.
   *
   * @throws OperationFailedException if the binding cannot be opened or any operation failed
   */
  public static PhaseResult run(YcsbEngine engine, Properties props, Phase phase, Progress progress) {
    int threads = Integer.parseInt(props.getProperty(StoreSettings.THREADS, "1"));
    long total = Long.parseLong(props.getProperty(phase == Phase.LOAD ? "recordcount" : "operationcount"));
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
        DB db = new CountingDb(engine.newBinding(), errors, firstError);
        db.setProperties(props);
        db.init();
        dbs.add(db);
        states.add(workload.initThread(props, t, threads));
      }
      AtomicLong done = new AtomicLong();
      Histogram[] hist = new Histogram[threads];
      Thread[] workers = new Thread[threads];
      AtomicReference<Throwable> crashed = new AtomicReference<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        long share = total / threads + (t < total % threads ? 1 : 0);
        DB db = dbs.get(t);
        Object state = states.get(t);
        Histogram h = hist[t] = new Histogram(3);
        workers[t] = Thread.ofPlatform().name("ycsb-" + engine.cliName() + "-" + t).start(() -> {
          try {
            for (long i = 0; i < share; i++) {
              long t0 = System.nanoTime();
              boolean ok = phase == Phase.LOAD ? workload.doInsert(db, state) : workload.doTransaction(db, state);
              h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
              if (!ok) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, "the workload reported a failed " + phase.name().toLowerCase());
              }
              progress.done(done.incrementAndGet());
            }
          } catch (Throwable e) {
            crashed.compareAndSet(null, e);
          }
        });
      }
      for (Thread w : workers) w.join();
      long nanos = System.nanoTime() - start;
      if (crashed.get() != null) {
        throw new OperationFailedException(engine.cliName() + " " + phase.name().toLowerCase() + " crashed: "
            + crashed.get(), crashed.get());
      }
      if (errors.get() > 0) {
        throw new OperationFailedException(engine.cliName() + " " + phase.name().toLowerCase() + ": " + errors.get()
            + " of " + total + " operations failed; first: " + firstError.get());
      }
      Histogram all = new Histogram(3);
      for (Histogram h : hist) all.add(h);
      finished = true;
      return new PhaseResult(phase, done.get(), nanos, all.getValueAtPercentile(50), all.getValueAtPercentile(99));
    } catch (DBException | WorkloadException e) {
      throw new OperationFailedException(engine.cliName() + ": " + e.getMessage(), e);
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
        throw new OperationFailedException(engine.cliName() + ": " + closeFailure.getMessage(), closeFailure);
      }
    }
  }
}
