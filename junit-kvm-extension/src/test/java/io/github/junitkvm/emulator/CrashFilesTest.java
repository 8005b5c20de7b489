package io.github.junitkvm.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A worker's crash directory: what is read of a crash report, and that nothing is left. */
class CrashFilesTest {
    private final CrashFiles crashFiles = CrashFiles.create();

    @AfterEach
    void deleteTheDirectory() {
        crashFiles.delete();
    }

    @Test
    void aWorkerThatLeftNoReportHasNone() {
        assertThat(crashFiles.reportHead(4242)).isEmpty();
    }

    @Test
    void keepsTheFirstLinesThatSaySomethingEachCutShort() throws IOException {
        String longLine = "Command Line: " + "x".repeat(10_000);
        Files.writeString(crashFiles.directory().resolve("hs_err_pid4242.log"), "#\n# A fatal error has been detected\n#\n"
                + "#  SIGSEGV (0xb) at pc=0x00007f1cd4000221\n\n" + longLine + "\n"
                + String.join("\n", Collections.nCopies(100_000, "Event: a line of the report")));

        String head = crashFiles.reportHead(4242).orElseThrow();

        assertThat(head.lines()).hasSize(CrashFiles.REPORT_LINES).startsWith(
                "# A fatal error has been detected", "#  SIGSEGV (0xb) at pc=0x00007f1cd4000221",
                "Command Line: " + "x".repeat(400 - "Command Line: ".length()) + "...");
        assertThat(crashFiles.reportHead(4243)).as("another worker's report").isEmpty();
    }

    @Test
    void deletingRemovesTheDirectoryAndWhatTheWorkerLeftInIt() throws IOException {
        Path directory = crashFiles.directory();
        Files.writeString(directory.resolve("hs_err_pid4242.log"), "# A fatal error");
        Files.writeString(directory.resolve("core"), "core");

        crashFiles.delete();

        assertThat(directory).doesNotExist();
    }

    @Test
    void theWorkerIsToldToWriteItsCrashFilesThereAndNoCore() {
        Path directory = crashFiles.directory();

        assertThat(directory).isDirectory().hasParent(Path.of(System.getProperty("java.io.tmpdir")));
        assertThat(crashFiles.jvmOptions()).containsExactly(
                "-XX:ErrorFile=" + directory.resolve("hs_err_pid%p.log"),
                "-XX:ReplayDataFile=" + directory.resolve("replay_pid%p.log"),
                "-XX:HeapDumpPath=" + directory,
                "-XX:-CreateCoredumpOnCrash");
    }
}
