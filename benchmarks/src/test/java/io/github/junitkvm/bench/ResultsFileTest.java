package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFileTest {
    @Test
    void whatIsWrittenReadsBackTheSame(@TempDir Path directory) throws Exception {
        List<Measurement> rows = new Runs("host", "EMULATOR").with(Series.LIFECYCLE_C, 183.25)
                .with(Series.EXITS_JNA, 751_000).rows();
        ResultsFile file = new ResultsFile(List.of("cpu: AMD EPYC, 2 logical CPUs", "command: tools/bench emulator"),
                rows);
        file.write(directory.resolve("results/emulator.csv"));

        ResultsFile read = ResultsFile.read(directory.resolve("results/emulator.csv"));
        assertThat(read.notes()).isEqualTo(file.notes());
        assertThat(read.measurements()).hasSize(2);
        assertThat(read.measurements().get(0).series()).isEqualTo(Series.LIFECYCLE_C);
        assertThat(read.measurements().get(0).stats().median()).isEqualTo(183.3);
        assertThat(read.measurements().get(1).detail()).isEqualTo("a detail, with a comma");
    }

    @Test
    void theFileIsCsvWithItsHeaderAfterTheNotes() {
        String text = new ResultsFile(List.of("kernel: Linux"), new Runs("host", "KVM").with(Series.MEMORY_C, 12.5)
                .rows()).format();
        assertThat(text).isEqualTo("# kernel: Linux\n" + ResultsFile.HEADER + "\n"
                + "host,KVM,memory/c,KiB per VM,12.50,11.25,15.00,5,\"a detail, with a comma\"\n");
    }

    @Test
    void quotedFieldsMayHoldCommasAndQuotes() {
        assertThat(ResultsFile.split("a,\"b, \"\"c\"\"\",d")).containsExactly("a", "b, \"c\"", "d");
    }

    @Test
    void aMalformedRowNamesItsLine() {
        assertThatThrownBy(() -> ResultsFile.parse("# note\n" + ResultsFile.HEADER + "\nhost,KVM,lifecycle/c\n",
                "kvm.csv"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("kvm.csv:3: not a result row: host,KVM,lifecycle/c (3 fields, expected 9)");
    }
}
