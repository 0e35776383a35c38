package org.rustydb.cli;

import org.rustydb.RustyDbException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code rustydb} command. Exit codes: 0 success, 1 failure (the message says why), 2 bad usage.
 * Each subcommand is its own class in this package.
 */
@Command(
    name = "rustydb",
    mixinStandardHelpOptions = true,
    versionProvider = RustyDbCommand.Version.class,
    description = "RustyDB for Java: an embeddable storage engine for the JVM.",
    subcommands = {
      CommandLine.HelpCommand.class,
      InitCommand.class,
      DemoCommand.class,
      PutCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      ScanCommand.class,
      LoadCommand.class,
      TablesCommand.class,
      VerifyCommand.class,
      InspectCommand.class,
      CheckpointCommand.class,
      RecoverCommand.class,
      TortureCommand.class,
      TortureWorkerCommand.class,
      BenchCommand.class,
      CacheSimCommand.class
    })
public final class RustyDbCommand implements Runnable {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  public static void main(String[] args) {
    // Library warnings (System.Logger -> java.util.logging) as one line on stderr, not JUL's two.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "rustydb: %4$s: %5$s%6$s%n");
    }
    System.exit(newCommandLine().execute(args));
  }

  /** The command line with RustyDB's error handling: a failure prints one clear line, not a stack trace. */
  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new RustyDbCommand());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          String what = ex instanceof RustyDbException || ex instanceof java.io.IOException
                  || ex instanceof IllegalArgumentException
              ? ex.getMessage()
              : ex.toString();
          commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + what);
          if (System.getenv("RUSTYDB_DEBUG") != null) {
            ex.printStackTrace(commandLine.getErr());
          }
          return EXIT_FAILURE;
        });
    return cl;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RustyDbCommand.class.getPackage().getImplementationVersion();
      return new String[] {
        "rustydb " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (storage layer v0.6.5)",
        "JVM: " + Runtime.version() + " " + System.getProperty("java.vendor")
      };
    }
  }
}
