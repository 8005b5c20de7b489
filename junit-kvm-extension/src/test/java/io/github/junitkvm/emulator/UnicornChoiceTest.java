package io.github.junitkvm.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order in which {@code junitkvm.unicorn} tries libraries, and what it says when none will do. */
class UnicornChoiceTest {
    @TempDir
    Path dir;

    private final List<String> tried = new ArrayList<>();

    /** Opens the libraries given, refuses the others as a worker that cannot load them would. */
    private Function<String, String> opener(Set<String> loadable) {
        return library -> {
            tried.add(library);
            if (!loadable.contains(library)) {
                throw new HypervisorUnavailableException("the emulator worker said: cannot load " + library);
            }
            return library;
        };
    }

    /** A wheel whose package directory "python3" names: {@code sh} plays Python. */
    private UnicornWheel wheelIn(Path packageDirectory) {
        return new UnicornWheel(List.of("sh", "-c", "echo '" + packageDirectory + "'"));
    }

    private Path installedWheel() throws Exception {
        Path library = dir.resolve("unicorn").resolve(UnicornWheel.BUNDLED_LIBRARY);
        Files.createDirectories(library.getParent());
        Files.write(library, new byte[] {0x7f, 'E', 'L', 'F'});
        return library;
    }

    @Test
    void autoPrefersTheSystemsLibraryAndDoesNotLookForAWheel() {
        UnicornWheel noPython = new UnicornWheel(List.of(dir.resolve("no-python").toString()));

        String opened = UnicornChoice.of(Optional.empty(), noPython).open(opener(Set.of(UnicornLibrary.SYSTEM)));

        assertThat(opened).isEqualTo(UnicornLibrary.SYSTEM);
        assertThat(tried).containsExactly(UnicornLibrary.SYSTEM);
    }

    @Test
    void autoFallsBackToAPipInstalledWheel() throws Exception {
        Path library = installedWheel();

        String opened = UnicornChoice.of(Optional.of(" AUTO "), wheelIn(dir.resolve("unicorn")))
                .open(opener(Set.of(library.toString())));

        assertThat(opened).isEqualTo(library.toString());
        assertThat(tried).containsExactly(UnicornLibrary.SYSTEM, library.toString());
    }

    @Test
    void autoWithNeitherSaysWhatToInstallAndWhyEachFailed() {
        assertThatThrownBy(() -> UnicornChoice.of(Optional.empty(), wheelIn(dir)).open(opener(Set.of())))
                .isInstanceOf(HypervisorUnavailableException.class)
                .hasMessageStartingWith("the emulator backend needs Unicorn 2: install it with `apt-get install"
                        + " libunicorn2`, or `pip install unicorn` (its wheel bundles the library). The system's"
                        + " libunicorn.so.2: the emulator worker said: cannot load unicorn; a pip-installed unicorn"
                        + " wheel: sh's unicorn package in " + dir + " bundles no lib/libunicorn.so.2");
    }

    @Test
    void systemNamedButMissingIsAConfigurationError() {
        assertThatThrownBy(() -> UnicornChoice.of(Optional.of("system"), wheelIn(dir)).open(opener(Set.of())))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("junitkvm.unicorn=system, but the system's libunicorn.so.2 does not load (install it"
                        + " with `apt-get install libunicorn2`): the emulator worker said: cannot load unicorn");
    }

    @Test
    void wheelNamedIsTheWheelsLibraryEvenWhereTheSystemHasOne() throws Exception {
        Path library = installedWheel();

        String opened = UnicornChoice.of(Optional.of("wheel"), wheelIn(dir.resolve("unicorn")))
                .open(opener(Set.of(UnicornLibrary.SYSTEM, library.toString())));

        assertThat(opened).isEqualTo(library.toString());
        assertThat(tried).containsExactly(library.toString());
    }

    @Test
    void wheelNamedButNotInstalledIsAConfigurationError() {
        UnicornWheel noPackage = new UnicornWheel(List.of("sh", "-c", "true"));

        assertThatThrownBy(() -> UnicornChoice.of(Optional.of("wheel"), noPackage).open(opener(Set.of())))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("junitkvm.unicorn=wheel, but no pip-installed unicorn wheel was found: sh has no unicorn"
                        + " package (install the wheel with `pip install unicorn`)");
        assertThat(tried).isEmpty();
    }

    @Test
    void wheelNamedWithoutPythonSaysSo() {
        UnicornWheel noPython = new UnicornWheel(List.of(dir.resolve("python3").toString()));

        assertThatThrownBy(() -> UnicornChoice.of(Optional.of("wheel"), noPython).open(opener(Set.of())))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessageStartingWith("junitkvm.unicorn=wheel, but no pip-installed unicorn wheel was found:"
                        + " cannot run " + dir.resolve("python3") + " to find a pip-installed unicorn wheel: ");
    }

    @Test
    void aPathIsLoadedAsItIs() throws Exception {
        Path library = installedWheel();

        String opened = UnicornChoice.of(Optional.of(library.toString()), wheelIn(dir))
                .open(opener(Set.of(library.toString())));

        assertThat(opened).isEqualTo(library.toString());
    }

    @Test
    void aPathToNoFileIsAConfigurationErrorNamingTheParameterAndThePath() {
        Path missing = dir.resolve("libunicorn.so.2");

        assertThatThrownBy(() -> UnicornChoice.of(Optional.of(missing.toString()), wheelIn(dir)).open(opener(Set.of())))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("junitkvm.unicorn=" + missing + ", but there is no file " + missing
                        + "; use auto, system, wheel or the path of a libunicorn.so.2");
        assertThat(tried).isEmpty();
    }

    @Test
    void aPathThatDoesNotLoadIsAConfigurationErrorWithTheWorkersWords() throws Exception {
        Path library = installedWheel();

        assertThatThrownBy(() -> UnicornChoice.of(Optional.of(library.toString()), wheelIn(dir)).open(opener(Set.of())))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("junitkvm.unicorn=" + library + ", but " + library + " does not load: the emulator worker"
                        + " said: cannot load " + library);
    }
}
