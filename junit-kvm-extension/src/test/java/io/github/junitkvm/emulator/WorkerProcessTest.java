package io.github.junitkvm.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.DataInputStream;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerProcessTest {

    @Test
    void buildsTheWorkerCommandFromThisJvmAndTheCodeSources() {
        List<String> command = WorkerCommand.build();

        assertThat(command.get(0)).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        assertThat(command).contains("-Xmx64m", "-XX:+UseSerialGC").endsWith("io.github.junitkvm.emulator.worker.WorkerMain");
        String classpath = command.get(command.indexOf("-cp") + 1);
        assertThat(classpath.split(File.pathSeparator)).hasSize(2)
                .anySatisfy(entry -> assertThat(entry).endsWith("classes"))
                .anySatisfy(entry -> assertThat(entry).contains("jna"));
    }

    @Test
    void reportsAWorkerThatCannotLoadUnicornWithWhatToInstall() {
        List<String> command = new ArrayList<>(WorkerCommand.build());
        command.set(command.indexOf("-cp") + 1, System.getProperty("java.class.path"));
        command.set(command.size() - 1, FakeWorker.class.getName());
        command.add("libunicorn.so.2: cannot open shared object file");

        assertThatThrownBy(() -> WorkerProcess.start(command))
                .isInstanceOf(HypervisorUnavailableException.class)
                .hasMessageContaining("apt-get install libunicorn2")
                .hasMessageContaining("libunicorn.so.2: cannot open shared object file");
    }

    @Test
    void reportsAWorkerThatRunsOutOfMemoryWithTheError() {
        List<String> command = new ArrayList<>(WorkerCommand.build());
        command.set(command.indexOf("-cp") + 1, System.getProperty("java.class.path"));
        command.set(command.size() - 1, OutOfMemoryWorker.class.getName());
        WorkerProcess worker = WorkerProcess.start(command);
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
    void reportsAWorkerThatDiesBeforeSayingHelloWithItsLastWords() {
        assertThatThrownBy(() -> WorkerProcess.start(List.of("sh", "-c", "echo 'no java here' >&2; exit 3")))
                .isInstanceOf(HypervisorUnavailableException.class)
                .hasMessageContaining("libunicorn2")
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("no java here");
    }

    @Test
    void workerExitsWhenItsStdinCloses() throws Exception {
        Process process = new ProcessBuilder(WorkerCommand.build()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            DataInputStream in = new DataInputStream(process.getInputStream());
            assertThat(MessageCodec.read(in)).isInstanceOf(Ready.class);

            process.getOutputStream().close();

            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void describesDeathBySignal() {
        assertThat(ExitStatus.describe(134)).isEqualTo("exit code 134, signal SIGABRT");
        assertThat(ExitStatus.describe(137)).isEqualTo("exit code 137, signal SIGKILL");
        assertThat(ExitStatus.describe(1)).isEqualTo("exit code 1");
    }
}
