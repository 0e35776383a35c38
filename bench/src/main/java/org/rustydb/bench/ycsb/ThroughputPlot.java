package org.rustydb.bench.ycsb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.rustydb.OperationFailedException;

/** Draws YCSB throughput as grouped bars: one group per workload, one bar per engine (XChart, headless). */
public final class ThroughputPlot {

  private ThroughputPlot() {}

  /** Writes the chart of {@code results} to {@code png}. */
  public static void write(List<YcsbResult> results, Path png, String title) {
    System.setProperty("java.awt.headless", "true");
    Set<String> workloads = new LinkedHashSet<>();
    Set<String> engines = new LinkedHashSet<>();
    for (YcsbResult r : results) {
      workloads.add(r.workload());
      engines.add(r.engine());
    }
    CategoryChart chart = new CategoryChartBuilder().width(1000).height(600).title(title)
        .xAxisTitle("YCSB workload").yAxisTitle("operations per second").build();
    chart.getStyler().setYAxisMin(0.0);
    List<String> x = workloads.stream().map(w -> "workload " + w).toList();
    for (String e : engines) {
      List<Double> y = new ArrayList<>();
      for (String w : workloads) {
        y.add(results.stream().filter(r -> r.engine().equals(e) && r.workload().equals(w))
            .mapToDouble(YcsbResult::opsPerSec).findFirst().orElse(0));
      }
      chart.addSeries(e, x, y);
    }
    try {
      Path parent = png.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      try (var out = Files.newOutputStream(png)) {
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
      }
    } catch (IOException e) {
      throw new OperationFailedException("cannot write plot " + png + ": " + e.getMessage(), e);
    }
  }
}
