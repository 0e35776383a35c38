package org.rustydb.cli;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rustydb.disk.DiskManager;
import org.rustydb.disk.FreePageLayout;
import org.rustydb.disk.PageFileHeaderLayout;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageChecksum;
import org.rustydb.page.PageLayout;
import org.rustydb.page.PageType;
import org.rustydb.page.SlottedPage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rustydb inspect page FILE PAGE_NO}: header fields, slots and a hex dump of each tuple. */
@Command(
    name = "page",
    mixinStandardHelpOptions = true,
    description = {
      "Show page PAGE_NO of page file FILE (e.g. DIR/base/table_1.dat): its header fields and checksum,"
          + " its slots, and a hex dump of each tuple. Page 0 is the file's header page.",
      "Exits 1 if the page is damaged."
    })
public final class InspectPageCommand implements Callable<Integer> {

  private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "a page file")
  Path file;

  @Parameters(index = "1", paramLabel = "PAGE_NO", description = "the page number (0 = the file's header page)")
  long pageNo;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    MemorySegment page = MemorySegment.ofArray(new byte[PageLayout.PAGE_SIZE]);
    long pages = DiskManager.readPageFromFile(file, pageNo, page);
    out.printf("file               %s (page %d; the file holds %d pages)%n", file, pageNo, pages);
    if (PageChecksum.isAllZero(page)) {
      out.println("never written (all zero)");
      return RustyDbCommand.EXIT_OK;
    }
    long id = page.get(U64, PageLayout.PAGE_ID_OFFSET);
    int stored = PageChecksum.stored(page);
    int computed = PageChecksum.compute(page);
    out.printf("page id            %s (0x%016x)%n", PageId.toString(id), id);
    out.printf("LSN                %d%n", page.get(U64, PageLayout.LSN_OFFSET));
    out.printf("checksum           %08x %s%n", stored,
        stored == computed ? "(ok)" : String.format("(MISMATCH: computed %08x)", computed));
    String problem;
    if (pageNo == 0 || page.get(U64, PageFileHeaderLayout.MAGIC) == PageFileHeaderLayout.MAGIC_VALUE) {
      problem = showFileHeader(out, page);
    } else if (FreePageLayout.looksFree(page)) {
      out.printf("kind               free page (on the free list, or freed before a crash)%n");
      out.printf("next free page     %d%n", FreePageLayout.next(page));
      problem = FreePageLayout.problem(page, id, pages);
    } else {
      problem = showSlottedPage(out, page);
    }
    if (stored != computed && problem == null) problem = "checksum mismatch";
    out.printf("problem            %s%n", problem == null ? "none" : problem);
    return problem == null ? RustyDbCommand.EXIT_OK : RustyDbCommand.EXIT_FAILURE;
  }

  private static String showFileHeader(PrintWriter out, MemorySegment page) {
    out.println("kind               file header page");
    String problem = PageFileHeaderLayout.problem(page);
    PageFileHeaderLayout.Header h = PageFileHeaderLayout.decode(page);
    out.printf("format version     %d%n", page.get(U32, PageFileHeaderLayout.FORMAT));
    out.printf("file kind          %s%n", h.kind());
    out.printf("file id            %d%n", h.fileId());
    out.printf("page count         %d%n", h.pageCount());
    out.printf("free-list head     %d (%d free pages)%n", h.freeHead(), h.freeCount());
    out.printf("created            %s%n", java.time.Instant.ofEpochMilli(h.createdMillis()));
    return problem;
  }

  private static String showSlottedPage(PrintWriter out, MemorySegment page) {
    SlottedPage p = new SlottedPage().wrap(page);
    int flags = page.get(U32, PageLayout.FLAGS_OFFSET);
    PageType type = PageType.fromCode(flags & 0xFF);
    String problem = p.problem();
    int slots = page.get(U32, PageLayout.SLOT_COUNT_OFFSET);
    int free = page.get(U32, PageLayout.FREE_SPACE_OFFSET);
    out.printf("type               %s (flags %08x, owner engine %d)%n",
        type == null ? "unknown code " + (flags & 0xFF) : type, flags, (flags >>> 8) & 0xFF);
    out.printf("free-space offset  %d%n", Integer.toUnsignedLong(free));
    out.printf("slot count         %d%n", Integer.toUnsignedLong(slots));
    if (problem == null) out.printf("free bytes         %d%n", p.freeSpace());
    int shown = (int) Math.min(Integer.toUnsignedLong(slots), PageLayout.MAX_SLOTS);
    if (shown > 0) out.println("slot  offset  length");
    for (int s = 0; s < shown; s++) {
      int at = PageLayout.slotEntryOffset(s);
      int off = Short.toUnsignedInt(page.get(U16, at));
      int len = Short.toUnsignedInt(page.get(U16, at + PageLayout.SLOT_LENGTH_FIELD));
      if (off == PageLayout.DELETED_OFFSET) {
        out.printf("%4d  deleted%n", s);
        continue;
      }
      out.printf("%4d  %6d  %6d%n", s, off, len);
      if (off + len <= PageLayout.PAGE_SIZE) {
        hexDump(out, page, off, len);
      } else {
        out.println("      (outside the page)");
      }
    }
    return problem;
  }

  /** 16 bytes a line: offset within the tuple, hex, printable ASCII. */
  static void hexDump(PrintWriter out, MemorySegment page, int off, int len) {
    for (int line = 0; line < len; line += 16) {
      StringBuilder hex = new StringBuilder();
      StringBuilder text = new StringBuilder();
      for (int i = line; i < line + 16; i++) {
        if (i < len) {
          int b = page.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF;
          hex.append(String.format("%02x ", b));
          text.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
        } else {
          hex.append("   ");
        }
        if (i - line == 7) hex.append(' ');
      }
      out.printf("      %04x  %s |%s|%n", line, hex, text);
    }
  }
}
