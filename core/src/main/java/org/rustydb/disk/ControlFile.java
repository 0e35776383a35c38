package org.rustydb.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.rustydb.CorruptionException;
import org.rustydb.DatabaseFailedException;

/**
 * The control file and its copy: {@code control} and {@code control.bak} in the data directory's top
 * folder (format: {@link ControlFileLayout}). Each is replaced atomically (temp file, fsync, rename, fsync
 * of the directory), the primary first, then the copy, so at any moment at least one of them holds a
 * complete, checksummed version. Reading prefers the primary and falls back to the copy (with a
 * warning) when the primary is missing, torn or corrupt; when both are bad it throws a
 * {@link CorruptionException} naming both files and what is wrong with each.
 *
 * <p>Not thread-safe: the checkpointer (and init, and recovery) are its only writers.
 */
public final class ControlFile {

  public static final String NAME = "control";
  public static final String COPY_NAME = "control.bak";

  /**
   * Format versions this build writes into a new control file; a control file of another page format is
   * refused (a change of any page layout bumps it, so that old files get a clear error, not misreadings).
   */
  public static final int PAGE_FORMAT_VERSION = 1;
  public static final int WAL_FORMAT_VERSION = 1;

  private static final System.Logger LOG = System.getLogger(ControlFile.class.getName());

  /**
   * The control file's fields.
   *
   * @param systemId random at init; tells one database's files from another's
   * @param checkpointLsn LSN of the last completed checkpoint (0 = none)
   * @param redoStartLsn where redo starts
   */
  public record Contents(
      DatabaseState state,
      long systemId,
      long checkpointLsn,
      long redoStartLsn,
      int pageFormatVersion,
      int walFormatVersion,
      long updatedMillis) {

    public Contents {
      if (state == null) throw new IllegalArgumentException("state is null");
      if (checkpointLsn < 0 || redoStartLsn < 0) throw new IllegalArgumentException("negative LSN");
    }

    public Contents withState(DatabaseState s) {
      return new Contents(s, systemId, checkpointLsn, redoStartLsn, pageFormatVersion, walFormatVersion, updatedMillis);
    }

    public Contents withCheckpoint(long checkpoint, long redoStart) {
      return new Contents(state, systemId, checkpoint, redoStart, pageFormatVersion, walFormatVersion, updatedMillis);
    }
  }

  /** What {@link #load()} found: the contents, which file they came from, and the problems seen. */
  public record Loaded(Contents contents, Path source, String primaryProblem, String copyProblem) {
    /** Whether the contents came from the copy because the primary is bad. */
    public boolean fellBack() {
      return primaryProblem != null;
    }
  }

  private final Path primary;
  private final Path copy;

  /** The control file of the data directory whose top folder is {@code dir}. */
  public ControlFile(Path dir) {
    this.primary = dir.resolve(NAME);
    this.copy = dir.resolve(COPY_NAME);
  }

  public Path primary() {
    return primary;
  }

  public Path copy() {
    return copy;
  }

  /** A fresh control file's contents: clean, no checkpoint, a random system id. */
  public static Contents initial() {
    long id;
    do {
      id = new SecureRandom().nextLong();
    } while (id == 0);
    return new Contents(DatabaseState.CLEAN_SHUTDOWN, id, 0, 0, PAGE_FORMAT_VERSION, WAL_FORMAT_VERSION,
        System.currentTimeMillis());
  }

  /** Reads the control file, falling back to its copy; see the class comment. */
  public Contents read() {
    return load().contents();
  }

  /** Like {@link #read()}, and also says which file was used and what was wrong with the other. */
  public Loaded load() {
    Attempt p = attempt(primary);
    if (p.contents() != null) {
      return new Loaded(p.contents(), primary, null, attempt(copy).problem());
    }
    Attempt c = attempt(copy);
    if (c.contents() != null) {
      LOG.log(System.Logger.Level.WARNING, "control file {0} is unusable ({1}); using its copy {2}",
          primary, p.problem(), copy);
      return new Loaded(c.contents(), copy, p.problem(), null);
    }
    throw new CorruptionException("no usable control file: " + primary + ": " + p.problem() + "; "
        + copy + ": " + c.problem());
  }

  /** Writes {@code c} (with the current time as its update time) to the primary, then to the copy. */
  public void write(Contents c) {
    Contents stamped = new Contents(c.state(), c.systemId(), c.checkpointLsn(), c.redoStartLsn(),
        c.pageFormatVersion(), c.walFormatVersion(), System.currentTimeMillis());
    byte[] bytes = ControlFileLayout.encode(stamped);
    try {
      DurableFiles.replaceAtomically(primary, bytes);
      DurableFiles.replaceAtomically(copy, bytes);
    } catch (IOException e) {
      // A failed fsync leaves us not knowing what is on disk: the database cannot go on trusting it.
      throw new DatabaseFailedException("cannot write the control file " + primary + ": " + e, e);
    }
  }

  /** One file's contents, or why it has none. */
  private record Attempt(Contents contents, String problem) {}

  private static Attempt attempt(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Attempt(null, "missing");
    } catch (IOException e) {
      return new Attempt(null, "unreadable: " + e);
    }
    String problem = ControlFileLayout.problem(bytes);
    return problem == null ? new Attempt(ControlFileLayout.decode(bytes), null) : new Attempt(null, problem);
  }
}
