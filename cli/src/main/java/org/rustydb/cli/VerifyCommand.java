package org.rustydb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rustydb.DatabaseVerifier;
import org.rustydb.page.PageFileVerifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rustydb verify DIR}: reads every page and reports what is damaged. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check every page and the control file of a data directory.",
      "Reads every page of every page file in DIR and checks it: checksums, header and slot consistency,"
          + " the files' header pages and free lists, and the control file with its copy; then walks every"
          + " B+tree table and checks its invariants (key order, separator bounds, depth, sibling links, free"
          + " space, overflow chains, free list).",
      "Prints a summary; exits 1 if anything is damaged, printing file, page number and what is wrong.",
      "The directory must not be open in another process."
    })
public final class VerifyCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    DatabaseVerifier.Result result = DatabaseVerifier.verify(dir);
    PageFileVerifier.Report r = result.pages();
    double secs = (System.nanoTime() - start) / 1e9;
    out.printf("verified %s: %,d file(s), %,d page(s) (%,d data, %,d empty, %,d free), %d B+tree(s) in %.2f s%n",
        dir.toAbsolutePath().normalize(), r.files(), r.pages(), r.dataPages(), r.emptyPages(), r.freePages(),
        result.trees(), secs);
    if (r.lostFreePages() > 0) {
      out.printf("note: %,d free page(s) were cut off their free list by a crash and stay unused%n", r.lostFreePages());
    }
    if (result.ok()) {
      out.println("OK: no problems found");
      return RustyDbCommand.EXIT_OK;
    }
    for (PageFileVerifier.Problem p : r.problems()) out.println("  " + p);
    for (String p : result.treeProblems()) out.println("  B+tree " + p);
    if (!result.treeProblems().isEmpty() && !result.cleanShutdown()) {
      out.println("note: the database was not shut down cleanly; a tree may be mid-change until recovery runs"
          + " (open it once, or `rustydb recover DIR`) and verify again");
    }
    out.printf("FAILED: %,d problem(s)%n", r.problems().size() + result.treeProblems().size());
    return RustyDbCommand.EXIT_FAILURE;
  }
}
