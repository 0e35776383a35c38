package org.rustydb.bench.cachesim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.rustydb.OperationFailedException;

/**
 * Draws simulator results as a PNG: hit rate (%) against cache size (pages), one line per policy, with
 * XChart. Several traces give one line per trace and policy. Runs headless (no display needed).
 */
public final class HitRatePlot {

  private HitRatePlot() {}

  /** Writes the chart of {@code results} to {@code png}. */
  public static void write(List<CacheSimulator.Result> results, Path png) {
    System.setProperty("java.awt.headless", "true");
    boolean manyTraces = results.stream().map(CacheSimulator.Result::trace).distinct().count() > 1;
    Map<String, List<CacheSimulator.Result>> lines = new LinkedHashMap<>();
    for (CacheSimulator.Result r : results) {
      String key = manyTraces ? r.trace() + " " + r.policy() : r.policy();
      lines.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    String title = manyTraces ? "Hit rate by cache size" : "Hit rate by cache size: " + results.getFirst().trace();
    XYChart chart = new XYChartBuilder().width(900).height(600).title(title)
        .xAxisTitle("cache size (pages)").yAxisTitle("hit rate (%)").build();
    chart.getStyler().setYAxisMin(0.0);
    for (Map.Entry<String, List<CacheSimulator.Result>> line : lines.entrySet()) {
      List<CacheSimulator.Result> points = new ArrayList<>(line.getValue());
      points.sort((a, b) -> Integer.compare(a.size(), b.size()));
      double[] x = points.stream().mapToDouble(CacheSimulator.Result::size).toArray();
      double[] y = points.stream().mapToDouble(CacheSimulator.Result::hitRate).toArray();
      chart.addSeries(line.getKey(), x, y);
    }
    try {
      Path parent = png.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      // Through a stream, so the file gets exactly the name asked for (the file-name variant adds ".png").
      try (var out = Files.newOutputStream(png)) {
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
      }
    } catch (IOException e) {
      throw new OperationFailedException("cannot write plot " + png + ": " + e.getMessage(), e);
    }
  }
}
