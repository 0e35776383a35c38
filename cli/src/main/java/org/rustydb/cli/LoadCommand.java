package org.rustydb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import org.rustydb.Database;
import org.rustydb.OperationFailedException;
import org.rustydb.Table;
import org.rustydb.txn.Transaction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rustydb load DIR TABLE FILE}: puts every {@code key,value} (CSV) or {@code {"key":..,"value":..}}
 * (JSON lines) record of FILE into the table, {@code --batch} puts per transaction, with a progress bar.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
      "Put every record of FILE into table TABLE of the database in DIR (both created when missing).",
      "FILE is CSV (key,value per line; a first line 'key,value' is a header; quote fields with \") or JSON lines"
          + " ({\"key\":\"..\",\"value\":\"..\"} per line), told apart by the extension (.csv; .jsonl, .ndjson,"
          + " .json) or --format. Keys and values are UTF-8 text, or hex with --hex. Blank lines are skipped.",
      "Records are committed --batch at a time; on a bad record the command stops, the batch in progress is"
          + " rolled back, and the message names the line and how many records were committed before it."
    })
public final class LoadCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Parameters(index = "1", paramLabel = "TABLE", description = "the table")
  String table;

  @Parameters(index = "2", paramLabel = "FILE", description = "the CSV or JSON-lines file")
  Path file;

  @Option(names = "--format", paramLabel = "csv|jsonl", description = "the file's format (default: by its extension)")
  String format;

  @Option(names = "--batch", paramLabel = "N", description = "puts per transaction (default: ${DEFAULT-VALUE})")
  int batch = 1000;

  @Option(names = "--hex", description = "keys and values in the file are hex digits")
  boolean hex;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Override
  public Integer call() throws IOException {
    if (batch < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1: " + batch);
    LoadRecords.Format f = format(spec.commandLine());
    if (!Files.isRegularFile(file)) throw new OperationFailedException("no file " + file);
    long total = countRecords(f);
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    long committed = 0;
    long inserted = 0;
    long transactions = 0;
    try (Database db = TableAccess.openOrCreate(dir);
        BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        ProgressBar bar = noProgress ? null : progressBar(total)) {
      Table t = TableAccess.openOrCreateTable(db, table);
      long lineNo = 0;
      String line = in.readLine();
      Transaction txn = null;
      long inBatch = 0;
      long insertedInBatch = 0;
      try {
        for (; line != null; line = in.readLine()) {
          lineNo++;
          if (line.isBlank()) continue;
          if (lineNo == 1 && f == LoadRecords.Format.CSV && line.strip().equalsIgnoreCase("key,value")) continue;
          LoadRecords.Entry e = LoadRecords.parse(f, line);
          byte[] k = TableAccess.decode(e.key(), hex, "key");
          byte[] v = TableAccess.decode(e.value(), hex, "value");
          if (txn == null) txn = db.begin();
          if (t.put(txn, k, v)) insertedInBatch++;
          if (++inBatch == batch) {
            txn.commit();
            txn = null;
            transactions++;
            committed += inBatch;
            inserted += insertedInBatch;
            if (bar != null) bar.stepBy(inBatch);
            inBatch = 0;
            insertedInBatch = 0;
          }
        }
        if (txn != null) {
          txn.commit();
          txn = null;
          transactions++;
          committed += inBatch;
          inserted += insertedInBatch;
          if (bar != null) bar.stepBy(inBatch);
        }
        if (bar != null) {
          bar.maxHint(committed); // the file may have changed since it was counted
          bar.stepTo(committed);
        }
      } catch (RuntimeException e) {
        if (txn != null) txn.close(); // rolls the batch back
        throw new OperationFailedException(file + ":" + lineNo + ": " + e.getMessage() + " (" + committed
            + " records committed before this line; the batch in progress was rolled back)", e);
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out.printf("loaded %,d records into %s in %,d transactions: %,d new, %,d replaced; %.2f s, %,.0f records/s%n",
        committed, table, transactions, inserted, committed - inserted, secs, committed / Math.max(secs, 1e-9));
    return RustyDbCommand.EXIT_OK;
  }

  private LoadRecords.Format format(CommandLine cl) {
    if (format != null) {
      return switch (format.toLowerCase(java.util.Locale.ROOT)) {
        case "csv" -> LoadRecords.Format.CSV;
        case "jsonl", "json", "ndjson" -> LoadRecords.Format.JSONL;
        default -> throw new CommandLine.ParameterException(cl, "--format must be csv or jsonl: " + format);
      };
    }
    LoadRecords.Format f = LoadRecords.byExtension(file.getFileName().toString());
    if (f == null) {
      throw new CommandLine.ParameterException(cl, "cannot tell the format of " + file
          + " from its extension (.csv, .jsonl, .ndjson, .json): give --format csv or --format jsonl");
    }
    return f;
  }

  /** Records (non-blank lines but a CSV header): the progress bar's total, for its ETA (a fast first pass). */
  private long countRecords(LoadRecords.Format f) throws IOException {
    long n = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      boolean first = true;
      for (String line = in.readLine(); line != null; line = in.readLine(), first = false) {
        if (line.isBlank()) continue;
        if (first && f == LoadRecords.Format.CSV && line.strip().equalsIgnoreCase("key,value")) continue;
        n++;
      }
    }
    return n;
  }

  /**
   * A bar with records done, rate and ETA, on stderr: redrawn in place on a terminal; otherwise (a pipe, a
   * test) one line a second on the command's error writer.
   */
  private ProgressBar progressBar(long total) {
    ProgressBarConsumer consumer = System.console() != null
        ? new ConsoleProgressBarConsumer(System.err)
        : new DelegatingProgressBarConsumer(spec.commandLine().getErr()::println);
    return new ProgressBarBuilder()
        .setTaskName("load " + table)
        .setInitialMax(total)
        .setUnit(" records", 1)
        .showSpeed()
        .setUpdateIntervalMillis(1000)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(consumer)
        .build();
  }
}
