package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartTest {
    private static final int WHITE = 0xffffff;

    @Test
    void drawsAPngWithABarPerSeries(@TempDir Path directory) throws Exception {
        List<Measurement> rows = new ArrayList<>(new Runs("host", "EMULATOR").with(Series.LIFECYCLE_C, 183)
                .with(Series.LIFECYCLE_TEST, 3000).with(Series.EXITS_C, 95e6).with(Series.EXITS_EXTENSION, 6e5)
                .with(Series.MEMORY_C, 3000).with(Series.MEMORY_EXTENSION, 40_000).rows());
        Path file = directory.resolve("chart.png");
        Chart.write(rows, "title", file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(1400);
        assertThat(image.getHeight()).isGreaterThan(400);
        assertThat(colouredPixels(image)).isGreaterThan(10_000);
    }

    @Test
    void moreRunsMakeATallerChart() {
        List<Measurement> one = new Runs("host", "EMULATOR").with(Series.LIFECYCLE_C, 183).rows();
        List<Measurement> two = new ArrayList<>(one);
        two.addAll(new Runs("kvm-in-qemu", "KVM").with(Series.LIFECYCLE_C, 900).rows());
        assertThat(Chart.render(two, "t").getHeight()).isGreaterThan(Chart.render(one, "t").getHeight());
    }

    @Test
    void theAxisIsLogarithmicBetweenPowersOfTen() {
        Chart.LogAxis axis = Chart.LogAxis.spanning(List.of(183.0, 28_000.0), 100, 500);
        assertThat(axis.low()).isEqualTo(100);
        assertThat(axis.high()).isEqualTo(100_000);
        assertThat(axis.x(100)).isEqualTo(100);
        assertThat(axis.x(1000)).isEqualTo(233);
        assertThat(axis.x(100_000)).isEqualTo(500);
        assertThat(axis.x(1e9)).isEqualTo(500);
    }

    @Test
    void tickLabelsUseTheMetricsUnit() {
        assertThat(Chart.tickLabel(10_000, Series.Metric.LIFECYCLE)).isEqualTo("10 ms");
        assertThat(Chart.tickLabel(100, Series.Metric.LIFECYCLE)).isEqualTo("100 µs");
        assertThat(Chart.tickLabel(0.1, Series.Metric.LIFECYCLE)).isEqualTo("0.1 µs");
        assertThat(Chart.tickLabel(1e7, Series.Metric.EXITS)).isEqualTo("10 M/s");
        assertThat(Chart.tickLabel(1e4, Series.Metric.MEMORY)).isEqualTo("10,000 KiB");
    }

    private static int colouredPixels(BufferedImage image) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                int r = rgb >> 16;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (rgb != WHITE && (Math.abs(r - g) > 30 || Math.abs(g - b) > 30)) {
                    count++;
                }
            }
        }
        return count;
    }
}
