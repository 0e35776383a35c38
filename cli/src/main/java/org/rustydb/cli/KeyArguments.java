package org.rustydb.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The arguments {@code put}, {@code get} and {@code delete} share (a picocli mixin): DIR TABLE KEY [--hex]. */
final class KeyArguments {

  @Parameters(index = "0", paramLabel = "DIR", description = "the data directory")
  Path dir;

  @Parameters(index = "1", paramLabel = "TABLE", description = "the table")
  String table;

  @Parameters(index = "2", paramLabel = "KEY", description = "the key (UTF-8 text, or hex with --hex)")
  String key;

  @Option(names = "--hex", description = "KEY (and VALUE) are hex digits; a value is printed in hex")
  boolean hex;

  /** The key's bytes. */
  byte[] keyBytes() {
    return TableAccess.decode(key, hex, "KEY");
  }
}
