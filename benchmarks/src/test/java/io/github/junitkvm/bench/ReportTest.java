package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
    private final List<Measurement> kvm = new Runs("kvm-in-qemu", "KVM").with(Series.LIFECYCLE_C, 100)
            .with(Series.LIFECYCLE_TEST, 130).with(Series.LIFECYCLE_QEMU_KVM, 30_000).rows();

    @Test
    void eachValueIsComparedWithTheCBaselineOfItsMetricInItsRun() {
        assertThat(Report.ratioToC(kvm.get(1), kvm)).contains(1.3);
        assertThat(Report.ratioToC(kvm.get(0), kvm)).isEmpty();
        Measurement exits = new Runs("kvm-in-qemu", "KVM").with(Series.EXITS_EXTENSION, 5).rows().get(0);
        assertThat(Report.ratioToC(exits, kvm)).isEmpty();
    }

    @Test
    void theTextHasATablePerRunAndItsVerdicts() {
        List<Measurement> rows = new ArrayList<>(kvm);
        rows.addAll(new Runs("host", "EMULATOR").with(Series.LIFECYCLE_C, 200).rows());
        String text = Report.text(rows);
        assertThat(text).contains("KVM backend inside tools/kvm-in-qemu", "EMULATOR backend on the host",
                "@KvmGuest test via JUnit launcher", "1.30x", "[MET] per-test cost <= 1.5x the C loop: 1.30x");
    }

    @Test
    void theMarkdownHasATableRowPerSeries() {
        String markdown = Report.markdown(kvm);
        assertThat(markdown).contains("| measured | median | rounds (min – max) | vs C |",
                "| lifecycle: one QEMU process per test (KVM) | 30.0 ms | 5 (27.0 ms – 36.0 ms) | 300x |",
                "- **MET** a QEMU process per test (KVM) >= 100x a @KvmGuest test: 231x");
    }
}
