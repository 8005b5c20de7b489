package io.github.junitkvm.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * Draws the results as a PNG, headless: one panel per metric (the VM's whole life, exits per
 * second, memory per live VM), in each a group of horizontal bars per run on a logarithmic axis
 * (the QEMU baseline is two orders of magnitude from the rest), each bar labelled with its median
 * and its ratio to the C baseline of the same run.
 */
public final class Chart {
    private static final int WIDTH = 1400;
    private static final int LABEL_WIDTH = 430;
    private static final int VALUE_WIDTH = 190;
    private static final int MARGIN = 20;
    private static final int BAR_HEIGHT = 18;
    private static final int BAR_GAP = 5;
    private static final int GROUP_HEADER = 24;
    private static final int PANEL_HEADER = 56;
    private static final int AXIS_HEIGHT = 22;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 17);
    private static final Font BOLD = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font PLAIN = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Map<String, Color> COLORS = Map.of(
            "c", new Color(0x7f7f7f), "c-reset", new Color(0xbdbdbd), "vm", new Color(0x9ecae1),
            "test", new Color(0x2171b5),
            "extension", new Color(0x2171b5), "junit", new Color(0xa1d99b), "qemu-tcg", new Color(0xfd8d3c),
            "qemu-kvm", new Color(0xd94801), "jna", new Color(0x9e9ac8));
    private static final List<Panel> PANELS = List.of(
            new Panel(Series.Metric.LIFECYCLE,
                    "Cost of one VM's whole life, or of one test (µs, log scale; lower is better)"),
            new Panel(Series.Metric.EXITS,
                    "Exits per second of a guest doing nothing but OUT (log scale; higher is better)"),
            new Panel(Series.Metric.MEMORY, "Resident memory per live VM (KiB, log scale; lower is better)"));

    private Chart() {
    }

    /**
     * @param measurements rows of any number of runs
     * @param title the chart's heading
     * @return the chart
     */
    public static BufferedImage render(List<Measurement> measurements, String title) {
        Map<String, List<Measurement>> runs = Report.byRun(measurements);
        int height = MARGIN + 30;
        for (Panel panel : PANELS) {
            height += panelHeight(panel, runs);
        }
        BufferedImage image = new BufferedImage(WIDTH, height + MARGIN, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            g.drawString(title, MARGIN, MARGIN + 16);
            int y = MARGIN + 30;
            for (Panel panel : PANELS) {
                y = drawPanel(g, panel, runs, y);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /**
     * @param measurements rows of any number of runs
     * @param title the chart's heading
     * @param file where the PNG goes
     * @throws IOException if it cannot be written
     */
    public static void write(List<Measurement> measurements, String title, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(render(measurements, title), "png", file.toFile());
    }

    private static int panelHeight(Panel panel, Map<String, List<Measurement>> runs) {
        int height = PANEL_HEADER + AXIS_HEIGHT;
        for (List<Measurement> rows : runs.values()) {
            int bars = bars(panel, rows).size();
            if (bars > 0) {
                height += GROUP_HEADER + bars * (BAR_HEIGHT + BAR_GAP);
            }
        }
        return height;
    }

    private static List<Measurement> bars(Panel panel, List<Measurement> rows) {
        return rows.stream().filter(m -> m.series().metric() == panel.metric()).toList();
    }

    private static int drawPanel(Graphics2D g, Panel panel, Map<String, List<Measurement>> runs, int top) {
        List<Double> values = new ArrayList<>();
        runs.values().forEach(rows -> bars(panel, rows).forEach(m -> values.add(m.stats().median())));
        g.setColor(Color.BLACK);
        g.setFont(BOLD);
        g.drawString(panel.title(), MARGIN, top + 28);
        int y = top + PANEL_HEADER;
        if (values.isEmpty()) {
            return y + AXIS_HEIGHT;
        }
        LogAxis axis = LogAxis.spanning(values, LABEL_WIDTH, WIDTH - MARGIN - VALUE_WIDTH);
        // The grid first, so that bars and labels are drawn over it.
        drawAxis(g, axis, y, top + panelHeight(panel, runs) - AXIS_HEIGHT, panel.metric());
        Function<Double, String> format = Targets.formatter(panel.metric());
        for (List<Measurement> rows : runs.values()) {
            List<Measurement> bars = bars(panel, rows);
            if (bars.isEmpty()) {
                continue;
            }
            Measurement first = bars.get(0);
            g.setColor(Color.BLACK);
            g.setFont(BOLD);
            g.drawString(first.backend() + " — " + shortEnvironment(first.environment()), MARGIN, y + 16);
            y += GROUP_HEADER;
            for (Measurement bar : bars) {
                double median = bar.stats().median();
                g.setFont(PLAIN);
                g.setColor(Color.DARK_GRAY);
                g.drawString(bar.series().label(), MARGIN + 12, y + BAR_HEIGHT - 5);
                int end = axis.x(median);
                g.setColor(COLORS.getOrDefault(bar.series().subject(), Color.GRAY));
                g.fillRect(axis.left(), y, Math.max(1, end - axis.left()), BAR_HEIGHT);
                // The range of the rounds, so a noisy series shows as one.
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(1));
                int low = axis.x(bar.stats().min());
                int high = axis.x(bar.stats().max());
                g.drawLine(low, y + BAR_HEIGHT / 2, high, y + BAR_HEIGHT / 2);
                g.drawLine(low, y + 4, low, y + BAR_HEIGHT - 4);
                g.drawLine(high, y + 4, high, y + BAR_HEIGHT - 4);
                String ratio = Report.ratioToC(bar, rows)
                        .map(r -> String.format(Locale.ROOT, "  (%.3gx C)", r)).orElse("");
                g.drawString(format.apply(median) + ratio, Math.max(end, high) + 6, y + BAR_HEIGHT - 5);
                y += BAR_HEIGHT + BAR_GAP;
            }
        }
        return y + AXIS_HEIGHT;
    }

    private static void drawAxis(Graphics2D g, LogAxis axis, int top, int bottom, Series.Metric metric) {
        g.setFont(PLAIN);
        for (double tick = axis.low(); tick <= axis.high() * 1.0001; tick *= 10) {
            int x = axis.x(tick);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.DARK_GRAY);
            g.drawString(tickLabel(tick, metric), x - 12, bottom + 15);
        }
    }

    static String tickLabel(double tick, Series.Metric metric) {
        return switch (metric) {
            case LIFECYCLE, ROUND_TRIP -> tick >= 1000 ? String.format(Locale.ROOT, "%,.0f ms", tick / 1000)
                    : String.format(Locale.ROOT, tick >= 1 ? "%,.0f µs" : "%.1f µs", tick);
            case EXITS -> tick >= 1e6 ? String.format(Locale.ROOT, "%,.0f M/s", tick / 1e6)
                    : String.format(Locale.ROOT, "%,.0f k/s", tick / 1e3);
            case MEMORY -> String.format(Locale.ROOT, "%,.0f KiB", tick);
        };
    }

    private static String shortEnvironment(String environment) {
        return switch (environment) {
            case "host" -> "host";
            case "host-pvm" -> "host /dev/kvm = kvm_pvm (PVM: not representative)";
            case "kvm-in-qemu" -> "inside tools/kvm-in-qemu (real KVM nested under TCG: compare ratios only)";
            default -> environment;
        };
    }

    private record Panel(Series.Metric metric, String title) {
    }

    /** A base-10 logarithmic axis from a power of ten below the data to one above it. */
    record LogAxis(double low, double high, int left, int right) {
        static LogAxis spanning(List<Double> values, int left, int right) {
            double min = values.stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).min().orElse(1);
            double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(10);
            double low = Math.pow(10, Math.floor(Math.log10(min)));
            double high = Math.pow(10, Math.ceil(Math.log10(Math.max(max, low * 10))));
            return new LogAxis(low, high, left, right);
        }

        int x(double value) {
            double clamped = Math.max(low, Math.min(high, value));
            return left + (int) Math.round((right - left) * Math.log10(clamped / low) / Math.log10(high / low));
        }
    }
}
