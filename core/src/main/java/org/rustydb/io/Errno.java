package org.rustydb.io;

/**
 * Linux errno values by name, so that a failed request says {@code EIO (I/O error)} rather than
 * {@code -5}. Only the values file I/O and io_uring can return are listed; others print as numbers.
 */
public final class Errno {

  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EFAULT = 14;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int EMFILE = 24;
  public static final int EFBIG = 27;
  public static final int ENOSPC = 28;
  public static final int EROFS = 30;
  public static final int ENOSYS = 38;
  public static final int EOVERFLOW = 75;
  public static final int EOPNOTSUPP = 95;
  public static final int EDQUOT = 122;
  public static final int ECANCELED = 125;

  private Errno() {}

  /** The symbolic name, e.g. {@code EIO}, or {@code errno 99} for values not listed here. */
  public static String name(int errno) {
    return switch (errno) {
      case EPERM -> "EPERM";
      case ENOENT -> "ENOENT";
      case EINTR -> "EINTR";
      case EIO -> "EIO";
      case EBADF -> "EBADF";
      case EAGAIN -> "EAGAIN";
      case ENOMEM -> "ENOMEM";
      case EACCES -> "EACCES";
      case EFAULT -> "EFAULT";
      case EBUSY -> "EBUSY";
      case EEXIST -> "EEXIST";
      case EISDIR -> "EISDIR";
      case EINVAL -> "EINVAL";
      case EMFILE -> "EMFILE";
      case EFBIG -> "EFBIG";
      case ENOSPC -> "ENOSPC";
      case EROFS -> "EROFS";
      case ENOSYS -> "ENOSYS";
      case EOVERFLOW -> "EOVERFLOW";
      case EOPNOTSUPP -> "EOPNOTSUPP";
      case EDQUOT -> "EDQUOT";
      case ECANCELED -> "ECANCELED";
      default -> "errno " + errno;
    };
  }

  /** The name and a short explanation, e.g. {@code EIO (I/O error)}. */
  public static String describe(int errno) {
    String what = switch (errno) {
      case EPERM -> "operation not permitted";
      case ENOENT -> "no such file or directory";
      case EINTR -> "interrupted system call";
      case EIO -> "I/O error";
      case EBADF -> "bad file descriptor (closed, or not open for this kind of access)";
      case EAGAIN -> "resource temporarily unavailable";
      case ENOMEM -> "out of memory";
      case EACCES -> "permission denied";
      case EFAULT -> "bad address";
      case EBUSY -> "device or resource busy";
      case EEXIST -> "file exists";
      case EISDIR -> "is a directory";
      case EINVAL -> "invalid argument (for direct I/O: offset, length or buffer not aligned)";
      case EMFILE -> "too many open files";
      case EFBIG -> "file too large";
      case ENOSPC -> "no space left on device";
      case EROFS -> "read-only file system";
      case ENOSYS -> "function not implemented";
      case EOVERFLOW -> "value too large";
      case EOPNOTSUPP -> "operation not supported";
      case EDQUOT -> "disk quota exceeded";
      case ECANCELED -> "operation canceled";
      default -> "unknown error";
    };
    return name(errno) + " (" + what + ")";
  }
}
