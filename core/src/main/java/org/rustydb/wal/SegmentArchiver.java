package org.rustydb.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Copies one completed segment into the archive. {@link GzipSegmentArchiver} is the standard one; tests
 * inject failing ones. An implementation must leave {@code target} complete and durable, or not there.
 */
@FunctionalInterface
public interface SegmentArchiver {

  void archive(Path segment, Path target) throws IOException;
}
