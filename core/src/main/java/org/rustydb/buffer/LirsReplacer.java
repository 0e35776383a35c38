package org.rustydb.buffer;

import java.util.function.LongPredicate;

/**
 * LIRS, as S. Jiang and X. Zhang, "LIRS: An Efficient Low Inter-reference Recency Set Replacement Policy
 * to Improve Buffer Cache Performance", ACM SIGMETRICS 2002, section 3.
 *
 * <p>A page's <em>inter-reference recency</em> (IRR) is the number of other distinct pages referenced
 * between its last two references. Pages with low IRR (LIR) hold most of the cache ({@code Llirs}); a
 * small part ({@code Lhirs}, 1% in the paper) holds high-IRR (HIR) pages, and only those are evicted.
 * A page is promoted to LIR when it is referenced again while its last reference is still younger than
 * the oldest LIR page's. So one-time pages (scans) and a loop larger than the cache churn only the
 * small HIR part, while the LIR set keeps a fixed slice of the loop: near-OPT on loops, immune to scans.
 *
 * <p>Structures (paper, section 3.3): stack S holds LIR pages, and HIR pages (resident or not) whose
 * recency is below the oldest LIR page's, in recency order; the bottom of S is always an LIR page
 * ("stack pruning" removes HIR pages that sink there). Queue Q holds the resident HIR pages in the
 * order they became resident; its front is the victim. The paper leaves non-resident entries of S
 * unbounded; as in practical implementations (Caffeine's simulator, Linux's workingset) we keep at most
 * {@code ghostFactor x c} of them and drop the oldest beyond that (list G, in the order they lost their
 * frame). A page in S and Q at once has nodes in two list dimensions of one {@link PageLists}.
 *
 * <p><b>Adaptive mode</b> ({@code alirs}, this project's default policy). Plain LIRS fixes the HIR part at
 * 1%, which is what makes it loop- and scan-proof, and also what makes it fail when recency is all that
 * matters: on a sweep that turns round (zigzag) the pages about to be re-used are the newest, all HIR,
 * and LIRS evicts them at once (0.4% hits where LRU gets 48%). Adaptive mode sizes the HIR part between
 * 1% and 90% the way ARC sizes T1 (Megiddo and Modha, FAST 2003) and CLOCK-Pro sizes its cold pages
 * (Jiang, Chen and Zhang, USENIX ATC 2005), from two kinds of ghost hit:
 * <ul>
 *   <li>a miss on a ghost in S that left Q within the last {@code Lhirs} evictions from Q (a Q twice as
 *       large would have kept it): recency is paying, HIR grows by {@code c/64} pages;</li>
 *   <li>a miss on a page that was LIR, was demoted to Q and left it (its ghost is kept in G only in this
 *       mode): LIR was too small, HIR shrinks by the same step.</li>
 * </ul>
 * Loops and scans give neither signal (their ghosts are old or absent), so the 1% HIR part and LIRS's
 * behaviour there are kept. When HIR grows the oldest LIR pages are demoted at once; when it shrinks LIR
 * refills through promotions.
 *
 * <p>Refusals by {@code tryEvict} (pinned pages): the next page of Q is tried, then LIR pages from the
 * bottom of S upward (an evicted LIR page leaves LIR short, and the next miss refills it).
 */
public final class LirsReplacer extends AbstractReplacer {

  private static final int S = 0;
  private static final int Q = 1;
  private static final int G = 2;
  private static final int LIR = 1;
  private static final int HIR = 0;
  /** An HIR page that was LIR until it was demoted: if it comes back as a ghost, LIR was too small. */
  private static final int HIR_DEMOTED = 2;

  private final PageLists lists;
  private final int maxGhosts;
  private int ghostLimit;
  private final boolean adaptive;
  private final double minHir;
  private final double maxHir;
  private double hirTarget;
  private final double step;
  private int lirLimit;
  private int lirCount;
  private long qEvictions;

  /** LIRS with the paper's 1% HIR part and twice the capacity of non-resident history. */
  public LirsReplacer(int capacity) {
    this("lirs", capacity, 0.01, 0.01, 2.0, false);
  }

  /** Adaptive LIRS ({@code alirs}): the HIR part starts at 1% and adapts between 1% and 90%. */
  public static LirsReplacer adaptive(int capacity) {
    return new LirsReplacer("alirs", capacity, 0.01, 0.9, 2.0, true);
  }

  /**
   * LIRS keeping {@code hirFraction} of the capacity for HIR pages (at least one page) and up to
   * {@code ghostFactor x capacity} non-resident HIR entries. In {@code adaptive} mode ghost hits move the
   * HIR part between {@code hirFraction} and {@code maxHirFraction}; {@link #setHirTarget} moves it
   * within the same range in either mode.
   */
  public LirsReplacer(String name, int capacity, double hirFraction, double maxHirFraction, double ghostFactor,
      boolean adaptive) {
    super(name, capacity);
    this.adaptive = adaptive;
    minHir = Math.max(1, capacity * hirFraction);
    maxHir = Math.clamp(capacity * maxHirFraction, minHir, capacity);
    hirTarget = minHir;
    step = Math.max(1.0, capacity / 64.0);
    lirLimit = Math.max(0, capacity - (int) Math.round(hirTarget));
    ghostLimit = Math.max(1, (int) Math.round(capacity * ghostFactor));
    maxGhosts = ghostLimit;
    // S u Q holds at most the resident pages plus ghostLimit ghosts, plus the page being admitted.
    lists = new PageLists(capacity + ghostLimit + 2, 0, 1, 1);
  }

  @Override
  public int size() {
    return lirCount + lists.size(Q);
  }

  @Override
  public boolean contains(long pageId) {
    int n = lists.node(pageId);
    return n != PageLists.NIL && isResident(n);
  }

  private boolean isResident(int n) {
    return lists.count(n) == LIR || lists.listOf(n, 1) == Q;
  }

  @Override
  public void recordHit(long pageId) {
    int n = lists.node(pageId);
    if (n == PageLists.NIL || !isResident(n)) throw notResident(pageId);
    hit(n);
  }

  /** A shadow's reference (page ids only, nothing pinned): one lookup on a hit; true if it was a hit. */
  boolean reference(long pageId) {
    int n = lists.node(pageId);
    if (n != PageLists.NIL && isResident(n)) {
      hit(n);
      return true;
    }
    admit(pageId, page -> true);
    return false;
  }

  private void hit(int n) {
    if (lists.count(n) == HIR_DEMOTED) lists.setCount(n, HIR);
    if (lists.count(n) == LIR) {
      // Accessing an LIR block x: move it to the top of S; if it was at the bottom, prune the stack.
      lists.moveToMru(n, S);
      prune();
    } else if (lists.listOf(n, 0) == S) {
      // Accessing a resident HIR block x that is in S: it becomes LIR, leaves Q, goes to the top of S;
      // the LIR block at the bottom of S becomes HIR and goes to the end of Q; prune.
      lists.setCount(n, LIR);
      lists.unlink(n, 1);
      lists.moveToMru(n, S);
      lirCount++;
      demoteBottomLir();
    } else {
      // A resident HIR block not in S: it stays HIR; it goes to the top of S and the end of Q.
      lists.moveToMru(n, S);
      lists.moveToMru(n, Q);
    }
  }

  @Override
  public long admit(long pageId, LongPredicate tryEvict) {
    checkPageId(pageId);
    int n = lists.node(pageId);
    if (n != PageLists.NIL && isResident(n)) throw alreadyResident(pageId);
    long victim = NONE;
    if (size() >= capacity) {
      victim = evict(tryEvict, n);
      if (victim == NO_ROOM) return NO_ROOM;
      n = lists.node(pageId); // evicting may have dropped x's own ghost entry
    }
    int signal = 0;
    if (n != PageLists.NIL) {
      lists.unlink(n, 1); // no longer a ghost (leaves G)
      if (lists.listOf(n, 0) != S) {
        // A demoted LIR page evicted from Q and back soon: LIR was too small (adaptive mode only).
        lists.remove(n);
        n = PageLists.NIL;
        signal = -1;
      } else if (qEvictions - lists.stamp(n) <= hirTarget) {
        // Evicted from Q so recently that a Q twice as large would have kept it: more room for HIR.
        signal = +1;
      }
    }
    if (lirCount < lirLimit && (!adaptive || victim == NONE)) {
      // Warm-up (or refill after an LIR page left): the first Llirs pages become LIR.
      if (n == PageLists.NIL) n = lists.create(pageId);
      lists.setCount(n, LIR);
      lists.moveToMru(n, S);
      lirCount++;
    } else if (n != PageLists.NIL) {
      // A miss on x that is in S (a non-resident HIR block): its IRR is below the oldest LIR block's
      // recency, so it becomes LIR at the top of S; the bottom LIR block becomes a resident HIR at the
      // end of Q; prune.
      lists.setCount(n, LIR);
      lists.moveToMru(n, S);
      lirCount++;
      demoteBottomLir();
    } else {
      // A miss on x not in S: it becomes a resident HIR block at the top of S and the end of Q.
      n = lists.add(pageId, S);
      lists.setCount(n, HIR);
      lists.moveToMru(n, Q);
    }
    if (signal != 0) adapt(signal);
    return victim;
  }

  /** Frees one frame: the front of Q first, then (only if Q refuses) the oldest LIR pages. */
  private long evict(LongPredicate tryEvict, int admitting) {
    for (int v = lists.lru(Q); v != PageLists.NIL; v = lists.newer(v, 1)) {
      long page = lists.page(v);
      if (tryEvict.test(page)) {
        if (lists.listOf(v, 0) == S || (adaptive && lists.count(v) == HIR_DEMOTED)) {
          // It stays in S as a non-resident HIR block (history), oldest ghosts beyond the limit go.
          lists.moveToMru(v, G);
          lists.setStamp(v, ++qEvictions);
          if (lists.size(G) > ghostLimit) dropGhost(lists.lru(G), admitting);
        } else {
          lists.remove(v);
        }
        return page;
      }
    }
    for (int v = lists.lru(S); v != PageLists.NIL; v = lists.newer(v, 0)) {
      if (lists.count(v) != LIR) continue;
      long page = lists.page(v);
      if (tryEvict.test(page)) {
        lists.remove(v);
        lirCount--;
        prune();
        return page;
      }
    }
    return NO_ROOM;
  }

  private void adapt(int direction) {
    if (!adaptive) return;
    setHirTarget(hirTarget + direction * step);
  }

  /** Sets the HIR part's target size in pages (clamped to the policy's range); demotes LIR pages at once. */
  void setHirTarget(double target) {
    hirTarget = Math.clamp(target, minHir, maxHir);
    lirLimit = Math.max(0, capacity - (int) Math.round(hirTarget));
    while (lirCount > lirLimit) demoteBottomLir();
  }

  /** Sets how many non-resident entries are kept (at most the constructor's bound); drops the oldest beyond. */
  void setGhostLimit(int limit) {
    ghostLimit = Math.clamp(limit, 1, maxGhosts);
    while (lists.size(G) > ghostLimit) lists.remove(lists.lru(G));
  }

  double hirTarget() {
    return hirTarget;
  }

  double step() {
    return step;
  }

  private void dropGhost(int g, int admitting) {
    if (g == admitting) g = lists.newer(g, 1);
    if (g != PageLists.NIL) lists.remove(g);
  }

  /** The LIR block at the bottom of S becomes a resident HIR block at the end of Q; then prune. */
  private void demoteBottomLir() {
    if (lirCount <= lirLimit) return;
    prune(); // with LIR pages present, the bottom of S is now one of them
    int bottom = lists.lru(S);
    lists.setCount(bottom, HIR_DEMOTED);
    lists.unlink(bottom, 0);
    lists.moveToMru(bottom, Q);
    lirCount--;
    prune();
  }

  /** Stack pruning: remove the HIR blocks at the bottom of S until an LIR block is there. */
  private void prune() {
    int b;
    while ((b = lists.lru(S)) != PageLists.NIL && lists.count(b) != LIR) {
      if (lists.listOf(b, 1) == Q) lists.unlink(b, 0); // resident HIR: stays in Q only
      else lists.remove(b); // non-resident HIR: its history ends here
    }
  }

  @Override
  public void remove(long pageId) {
    int n = lists.node(pageId);
    if (n == PageLists.NIL) return;
    if (lists.count(n) == LIR) lirCount--;
    lists.remove(n);
    prune();
  }

  @Override
  public ReplacerSizes sizes() {
    // In ARC's terms: LIR pages are the frequency side, resident HIR the recency side, ghosts in B1.
    return new ReplacerSizes(lists.size(Q), lirCount, lists.size(G), 0, 0);
  }
}
