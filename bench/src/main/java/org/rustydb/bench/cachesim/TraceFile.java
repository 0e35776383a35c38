package org.rustydb.bench.cachesim;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.rustydb.OperationFailedException;

/**
 * A page-reference trace: one decimal page number per line (blank lines are skipped), plain or gzip
 * compressed (recognised by the gzip magic bytes 1f 8b, not by the file name).
 *
 * @param name the file name, as the simulator reports it
 * @param pages the page numbers in reference order
 */
public record TraceFile(String name, long[] pages) {

  /** Reads {@code file}; a missing file or a line that is not a page number is an {@link OperationFailedException}. */
  public static TraceFile read(Path file) {
    String name = file.getFileName().toString();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
      return new TraceFile(name, parse(file, new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))));
    } catch (NoSuchFileException e) {
      throw new OperationFailedException("trace file not found: " + file);
    } catch (IOException e) {
      throw new OperationFailedException("cannot read trace " + file + ": " + e.getMessage(), e);
    }
  }

  private static long[] parse(Path file, BufferedReader reader) throws IOException {
    long[] pages = new long[1 << 16];
    int n = 0;
    long lineNo = 0;
    String line;
    while ((line = reader.readLine()) != null) {
      lineNo++;
      String s = line.strip();
      if (s.isEmpty()) continue;
      long page;
      try {
        page = Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new OperationFailedException(file + " line " + lineNo + ": not a page number: \"" + abbreviate(s) + "\"");
      }
      if (page < 0) {
        throw new OperationFailedException(file + " line " + lineNo + ": negative page number: " + page);
      }
      if (n == pages.length) pages = Arrays.copyOf(pages, n * 2);
      pages[n++] = page;
    }
    return Arrays.copyOf(pages, n);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** The number of distinct pages in the trace. */
  public int distinctPages() {
    return (int) Arrays.stream(pages).distinct().count();
  }
}
