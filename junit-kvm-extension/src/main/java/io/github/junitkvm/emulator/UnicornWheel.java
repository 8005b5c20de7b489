package io.github.junitkvm.emulator;

import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.TransientHypervisorException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * Finds the {@code libunicorn.so.2} that the {@code unicorn} wheel from PyPI bundles, in the
 * package that {@code pip install unicorn} installed for the {@code python3} on the {@code PATH}
 * (a virtual environment's, pyenv's, {@code --user}): Python itself says where its
 * {@code unicorn} package is, without importing it, so every way Python finds packages counts.
 * Debian's {@code python3-unicorn} bundles no library (it uses the system's), and is reported as
 * such.
 */
final class UnicornWheel {
    /** The library's place inside the wheel's {@code unicorn} package. */
    static final Path BUNDLED_LIBRARY = Path.of("lib", "libunicorn.so.2");

    /** Python prints the package's directory, or nothing. */
    private static final String FIND_PACKAGE = "import importlib.util as u; s = u.find_spec('unicorn');"
            + " print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')";
    /** A Python that has not answered by then is stuck (pyenv's shims alone take a second on a busy machine). */
    private static final long ANSWER_SECONDS = 30;
    /** Far more than a path: the answer is read no further. */
    private static final int MAX_ANSWER_BYTES = 1 << 14;

    private final List<String> python;

    /** @param python the command that runs Python 3's {@code -c} */
    UnicornWheel(List<String> python) {
        this.python = List.copyOf(python);
    }

    /** @return the locator that asks the {@code python3} on the {@code PATH} */
    static UnicornWheel onPath() {
        return new UnicornWheel(List.of("python3"));
    }

    /**
     * @return the bundled library's absolute path
     * @throws HypervisorUnavailableException saying why there is none: no Python, no
     *     {@code unicorn} package, or one without a bundled library
     */
    Path locate() {
        String packageDirectory = askPython();
        if (packageDirectory.isEmpty()) {
            throw new HypervisorUnavailableException(python.get(0) + " has no unicorn package"
                    + " (install the wheel with `pip install unicorn`)");
        }
        Path library = Path.of(packageDirectory).resolve(BUNDLED_LIBRARY).toAbsolutePath();
        if (!Files.isRegularFile(library)) {
            throw new HypervisorUnavailableException(python.get(0) + "'s unicorn package in " + packageDirectory
                    + " bundles no " + BUNDLED_LIBRARY + " (a distribution's package uses the system's library;"
                    + " install the wheel with `pip install unicorn`)");
        }
        return library;
    }

    private String askPython() {
        List<String> command = new ArrayList<>(python);
        command.addAll(List.of("-c", FIND_PACKAGE));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new HypervisorUnavailableException("cannot run " + python.get(0)
                    + " to find a pip-installed unicorn wheel: " + e.getMessage(), e);
        }
        // Killing the process ends the read below too, however Python hangs.
        ScheduledFuture<?> deadline = Watchdog.after(ANSWER_SECONDS * 1000, process::destroyForcibly);
        try (InputStream out = process.getInputStream()) {
            process.getOutputStream().close();
            byte[] answer = out.readNBytes(MAX_ANSWER_BYTES);
            int status = process.waitFor();
            if (!deadline.cancel(false)) {
                throw new HypervisorUnavailableException(python.get(0) + " did not say within " + ANSWER_SECONDS
                        + " s where its unicorn package is");
            }
            if (status != 0) {
                throw new HypervisorUnavailableException(python.get(0) + " failed (exit status " + status
                        + ") to say where its unicorn package is");
            }
            return new String(answer, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new HypervisorUnavailableException("cannot read " + python.get(0) + "'s answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientHypervisorException("interrupted while " + python.get(0)
                    + " looked for a pip-installed unicorn wheel", e);
        } finally {
            deadline.cancel(false);
            process.destroyForcibly();
        }
    }
}
