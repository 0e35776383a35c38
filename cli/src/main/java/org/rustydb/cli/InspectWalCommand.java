package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rustydb.wal.LogRecord;
import org.rustydb.wal.Lsn;
import org.rustydb.wal.WalReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rustydb inspect wal DIR}: the log's records, one per line: LSN, type, transaction, previous LSN,
 * length, and what the record says. Ends with where the valid log ends. A damaged log prints the records
 * before the damage, then fails with the file and offset.
 */
@Command(
    name = "wal",
    mixinStandardHelpOptions = true,
    description = "List the write-ahead log's records, one per line (DIR is a data directory or its wal/).")
public final class InspectWalCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "data directory (holding wal/) or the wal/ directory")
  Path dir;

  @Option(names = "--from", paramLabel = "LSN", description = "start at this record (like 0/01000040) instead of the oldest")
  String from;

  @Option(names = "--limit", paramLabel = "N", description = "print at most N records")
  long limit = Long.MAX_VALUE;

  @Override
  public Integer call() {
    Path walDir = Files.isDirectory(dir.resolve("wal")) ? dir.resolve("wal") : dir;
    PrintWriter out = spec.commandLine().getOut();
    try (WalReader r = WalReader.open(walDir)) {
      if (from != null) r.seek(Lsn.parse(from));
      out.printf("%-12s %-16s %8s %-12s %7s  %s%n", "LSN", "TYPE", "TXN", "PREV_LSN", "LENGTH", "SUMMARY");
      long n = 0;
      while (n < limit && r.next()) {
        LogRecord rec = r.record();
        out.printf("%-12s %-16s %8d %-12s %7d  %s%n", Lsn.toString(r.lsn()), rec.type(), rec.txnId(),
            Lsn.toString(rec.prevLsn()), r.length(), rec.summary());
        n++;
      }
      if (n < limit) {
        out.printf("end of log at %s (segment %s), %d records%n", Lsn.toString(r.endLsn()),
            Lsn.toString(r.endLsn(), r.segmentSize()), n);
      }
    } finally {
      out.flush();
    }
    return RustyDbCommand.EXIT_OK;
  }
}
