package io.github.junitkvm.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.TransientHypervisorException;
import io.github.junitkvm.emulator.worker.CrashingWorker;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import io.github.junitkvm.emulator.worker.WorkerMain;
import java.io.DataInputStream;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerProcessTest {
    @TempDir
    Path dir;

    @Test
    void buildsTheWorkerCommandFromThisJvmAndTheCodeSources() {
        CrashFiles crashFiles = CrashFiles.create();
        try {
            List<String> command = WorkerCommand.build(crashFiles, UnicornLibrary.SYSTEM);

            assertThat(command.get(0)).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            assertThat(command).contains("-Xmx64m", "-XX:+UseSerialGC").endsWith("io.github.junitkvm.emulator.worker.WorkerMain", UnicornLibrary.SYSTEM);
            String classpath = command.get(command.indexOf("-cp") + 1);
            assertThat(classpath.split(File.pathSeparator)).hasSize(2)
                    .anySatisfy(entry -> assertThat(entry).endsWith("classes"))
                    .anySatisfy(entry -> assertThat(entry).contains("jna"));
            assertThat(command).containsAll(crashFiles.jvmOptions()).contains(
                    "-XX:ErrorFile=" + crashFiles.directory().resolve("hs_err_pid%p.log"), "-XX:-CreateCoredumpOnCrash");
        } finally {
            crashFiles.delete();
        }
    }

    @Test
    void reportsAWorkerThatCannotLoadUnicornWithWhatItSaid() {
        assertThatThrownBy(() -> WorkerProcess.start(crashFiles -> standIn(crashFiles, FakeWorker.class,
                "libunicorn.so.2: cannot open shared object file")))
                .isInstanceOf(HypervisorUnavailableException.class)
                .hasMessage("the emulator worker said: libunicorn.so.2: cannot open shared object file");
    }

    @Test
    void reportsAWorkerThatRunsOutOfMemoryWithTheError() {
        WorkerProcess worker = WorkerProcess.start(crashFiles -> standIn(crashFiles, OutOfMemoryWorker.class));
        try {
            worker.send(new Create(new MachineConfig(List.of(new RamRegion(0, 0x1000, false)), CpuMode.REAL)));

            // The worker's heap is small, and the JVM is told to exit rather than limp on after an OOM.
            assertThatThrownBy(worker::receive).isInstanceOf(WorkerDiedException.class)
                    .hasMessageContaining("exit code 3").hasMessageContaining("java.lang.OutOfMemoryError");
        } finally {
            worker.kill("the test is over");
        }
    }

    @Test
    void aWorkerThatDiesBeforeSayingHelloIsNoReasonToSkipAndGivesItsLastWords() {
        assertThatThrownBy(() -> WorkerProcess.start(crashFiles -> List.of("sh", "-c", "echo 'no java here' >&2; exit 3")))
                .isInstanceOf(TransientHypervisorException.class)
                .hasMessageStartingWith("the emulator worker did not start: emulator worker process died (exit code 3)")
                .hasMessageContaining("no java here")
                .hasMessageNotContaining("libunicorn2");
    }

    @Test
    void aWorkerThatCannotBeStartedIsNoReasonToSkip() {
        Path noJava = dir.resolve("no-such-java");

        assertThatThrownBy(() -> WorkerProcess.start(crashFiles -> List.of(noJava.toString())))
                .isInstanceOf(TransientHypervisorException.class)
                .hasMessageStartingWith("cannot start the emulator worker [" + noJava + "]: java.io.IOException")
                .hasMessageContaining("No such file or directory");
    }

    @Test
    void aCrashedWorkerGivesTheBeginningOfItsCrashReportAndLeavesNoFileBehind() {
        AtomicReference<Path> crashDirectory = new AtomicReference<>();
        // Started, it has written to descriptor 1 after claiming stdout: the protocol was not disturbed.
        WorkerProcess worker = WorkerProcess.start(crashFiles -> {
            crashDirectory.set(crashFiles.directory());
            return standIn(crashFiles, CrashingWorker.class);
        });
        worker.send(new Create(new MachineConfig(List.of(new RamRegion(0, 0x1000, false)), CpuMode.REAL)));

        WorkerDiedException death = catchThrowableOfType(WorkerDiedException.class, worker::receive);

        assertThat(death).hasMessageContaining("its JVM's crash report began:\n"
                        + "# A fatal error has been detected by the Java Runtime Environment:\n#  SIGSEGV (0xb) at pc=")
                .hasMessageContaining("# Problematic frame:")
                .hasMessageContaining("CreateCoredumpOnCrash turned off, no core file dumped")
                .hasMessageContaining("and it wrote to stderr: " + CrashingWorker.NOISE)
                .hasMessageEndingWith("[worker pid " + worker.pid() + "]");
        assertThat(death.getMessage().lines().filter(line -> line.contains("A fatal error has been detected")))
                .as("the JVM's banner on stderr repeats the report: shown once").hasSize(1);
        assertThat(death.getMessage()).as("the report's file is gone").doesNotContain("error report file");
        assertThat(crashDirectory.get()).doesNotExist();
        assertThat(Path.of("hs_err_pid" + worker.pid() + ".log")).doesNotExist();
    }

    @Test
    void workerExitsWhenItsStdinCloses() throws Exception {
        CrashFiles crashFiles = CrashFiles.create();
        Process process = new ProcessBuilder(WorkerCommand.build(crashFiles, UnicornLibrary.SYSTEM)).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            DataInputStream in = new DataInputStream(process.getInputStream());
            assertThat(MessageCodec.read(in)).isInstanceOf(Ready.class);

            process.getOutputStream().close();

            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
            crashFiles.delete();
        }
    }

    @Test
    void describesDeathBySignal() {
        assertThat(ExitStatus.describe(134)).isEqualTo("exit code 134, signal SIGABRT");
        assertThat(ExitStatus.describe(137)).isEqualTo("exit code 137, signal SIGKILL");
        assertThat(ExitStatus.describe(1)).isEqualTo("exit code 1");
    }

    /** The worker command, with the test classpath and a stand-in main class and arguments. */
    private static List<String> standIn(CrashFiles crashFiles, Class<?> main, String... args) {
        List<String> command = new ArrayList<>(WorkerCommand.build(crashFiles, UnicornLibrary.SYSTEM));
        command.set(command.indexOf("-cp") + 1, System.getProperty("java.class.path"));
        command.subList(command.indexOf(WorkerMain.class.getName()), command.size()).clear();
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }
}
