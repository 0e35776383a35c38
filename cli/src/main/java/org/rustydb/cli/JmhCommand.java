package org.rustydb.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code rustydb bench jmh [JMH ARGS]}: runs the JMH micro-benchmarks of the bench module with JMH's own
 * command line (a name regex, {@code -f}, {@code -wi}, {@code -i}, {@code -rf csv} ...; {@code -h} lists them).
 * JMH forks benchmark JVMs with this JVM's class path, so it sees every module.
 */
@Command(
    name = "jmh",
    description = "Run JMH micro-benchmarks (arguments go to JMH; e.g. 'Checksum' -f 1 -wi 2 -i 3).",
    mixinStandardHelpOptions = false)
public final class JmhCommand implements Callable<Integer> {

  /** Everything after {@code jmh}, options included, goes to JMH untouched. */
  @Unmatched List<String> args = new java.util.ArrayList<>();

  @Override
  public Integer call() throws Exception {
    org.openjdk.jmh.Main.main(args.toArray(String[]::new));
    return 0;
  }
}
