package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.rustydb.disk.PageId;

class WriteCombinerTest {

  static long p(int file, long no) {
    return PageId.of(file, no);
  }

  static List<List<Long>> groups(long[] pages, int distance, int max) {
    return WriteCombiner.group(pages, distance, max).stream()
        .map(b -> LongStream.of(b.pages()).boxed().toList()).toList();
  }

  @Test
  void neighboursWithinTenPagesShareABatchInPageOrder() {
    long[] pages = {p(1, 30), p(1, 5), p(1, 15), p(1, 6), p(1, 41), p(1, 16)};
    // 5,6 | gap 9 -> 15,16 | gap 14 -> 30 | gap 11 -> 41
    assertThat(groups(pages, 10, 64)).containsExactly(
        List.of(p(1, 5), p(1, 6), p(1, 15), p(1, 16)),
        List.of(p(1, 30)),
        List.of(p(1, 41)));
  }

  @Test
  void aGapOfExactlyTheDistanceJoinsOneMoreDoesNot() {
    assertThat(groups(new long[] {p(1, 1), p(1, 11)}, 10, 64)).hasSize(1);
    assertThat(groups(new long[] {p(1, 1), p(1, 12)}, 10, 64)).hasSize(2);
  }

  @Test
  void filesNeverShareABatch() {
    assertThat(groups(new long[] {p(2, 1), p(1, 1), p(1, 2), p(2, 2)}, 10, 64)).containsExactly(
        List.of(p(1, 1), p(1, 2)), List.of(p(2, 1), p(2, 2)));
  }

  @Test
  void batchesHoldAtMostMaxBatchPages() {
    long[] pages = LongStream.range(1, 1 + 150).map(no -> p(1, no)).toArray();
    List<WriteCombiner.Batch> b = WriteCombiner.group(pages, 10, 64);
    assertThat(b).extracting(x -> x.pages().length).containsExactly(64, 64, 22);
    assertThat(b.get(1).pages()[0]).isEqualTo(p(1, 65));
    assertThat(b).extracting(WriteCombiner.Batch::runs).containsExactly(1, 1, 1);
  }

  @Test
  void runsCountContiguousStretches() {
    long[] pages = {p(1, 1), p(1, 2), p(1, 3), p(1, 5), p(1, 9), p(1, 10)};
    List<WriteCombiner.Batch> b = WriteCombiner.group(pages, 10, 64);
    assertThat(b).hasSize(1);
    assertThat(b.get(0).runs()).isEqualTo(3); // 1-3, 5, 9-10: 6 pages in 3 writes, 3 saved
  }

  @Test
  void duplicatesAndEmptyInput() {
    assertThat(groups(new long[] {p(1, 4), p(1, 4), p(1, 5)}, 10, 64)).containsExactly(List.of(p(1, 4), p(1, 5)));
    assertThat(WriteCombiner.group(new long[0], 10, 64)).isEmpty();
  }

  @Test
  void distanceOneMeansOnlyAdjacentPages() {
    assertThat(groups(new long[] {p(1, 1), p(1, 2), p(1, 4)}, 1, 64)).containsExactly(
        List.of(p(1, 1), p(1, 2)), List.of(p(1, 4)));
  }

  @Test
  void badArguments() {
    assertThatThrownBy(() -> WriteCombiner.group(new long[0], 0, 64)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WriteCombiner.group(new long[0], 10, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
