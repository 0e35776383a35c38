package org.rustydb.testing;

/** Seeds of randomized tests: from a system property when set (to repeat a run), else new; always printed. */
public final class Seeds {

  private Seeds() {}

  /**
   * The seed in system property {@code property}, or a new one; printed under {@code label} (the test) with
   * the option that repeats it.
   */
  public static long of(String label, String property) {
    long seed = Long.getLong(property, System.nanoTime());
    System.out.println(label + " seed " + seed + " (-D" + property + "=" + seed + " repeats it)");
    return seed;
  }
}
