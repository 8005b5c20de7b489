package io.github.junitkvm.emulator;

import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The libunicorn that the emulator's workers load, as the {@value EmulatorHypervisor#UNICORN_PARAMETER} setting names it:
 * <ul>
 *   <li>{@value #AUTO} (the default): the system's {@code libunicorn.so.2} (Debian's
 *       {@code libunicorn2}), and only when that does not load, the one a pip-installed
 *       {@code unicorn} wheel bundles ({@link UnicornWheel});</li>
 *   <li>{@value #SYSTEM}: the system's only;</li>
 *   <li>{@value #WHEEL}: the wheel's only;</li>
 *   <li>anything else: the path of a library file (relative to the working directory).</li>
 * </ul>
 * The system's library comes first in {@value #AUTO} because it is the one the system's package
 * manager installed and updates for every user of the machine, while a wheel may be in a Python
 * environment for reasons of its own, in any version: the tests' results do not change because
 * someone installed a Python package. A library named explicitly that cannot be used is a
 * configuration error ({@link KvmGuestConfigurationException}), which fails the tests whatever the
 * backend setting; {@value #AUTO} finding none makes the emulator unavailable
 * ({@link HypervisorUnavailableException}), as a missing library always has.
 */
final class UnicornChoice {
    private static final String PARAMETER = EmulatorHypervisor.UNICORN_PARAMETER;
    private static final String AUTO = "auto";
    private static final String SYSTEM = "system";
    private static final String WHEEL = "wheel";

    private static final String INSTALL_SYSTEM = "install it with `apt-get install libunicorn2`";
    private static final String INSTALL_WHEEL = "`pip install unicorn`";

    private final String setting;
    private final UnicornWheel wheel;

    private UnicornChoice(String setting, UnicornWheel wheel) {
        this.setting = setting;
        this.wheel = wheel;
    }

    /**
     * @param setting the {@value EmulatorHypervisor#UNICORN_PARAMETER} value, empty for {@value #AUTO}
     * @param wheel finds a pip-installed wheel's library
     * @return the choice
     */
    static UnicornChoice of(Optional<String> setting, UnicornWheel wheel) {
        return new UnicornChoice(setting.map(String::strip).orElse(AUTO), wheel);
    }

    /**
     * Opens the chosen library.
     *
     * @param <T> what opening gives
     * @param opener opens a library, given {@code UnicornLibrary.SYSTEM} or an absolute path;
     *     throws {@link HypervisorUnavailableException} if it does not load
     * @return what the first library that loads gave
     * @throws KvmGuestConfigurationException if the setting names a library that cannot be used
     * @throws HypervisorUnavailableException if {@value #AUTO} finds no library that loads
     */
    <T> T open(Function<String, T> opener) {
        switch (setting.toLowerCase(Locale.ROOT)) {
            case AUTO, "" -> {
                return openAuto(opener);
            }
            case SYSTEM -> {
                try {
                    return opener.apply(UnicornLibrary.SYSTEM);
                } catch (HypervisorUnavailableException e) {
                    throw misconfigured("the system's libunicorn.so.2 does not load (" + INSTALL_SYSTEM + "): "
                            + e.getMessage(), e);
                }
            }
            case WHEEL -> {
                Path library;
                try {
                    library = wheel.locate();
                } catch (HypervisorUnavailableException e) {
                    throw misconfigured("no pip-installed unicorn wheel was found: " + e.getMessage(), e);
                }
                return openFile(library, opener);
            }
            default -> {
                return openFile(path(), opener);
            }
        }
    }

    private <T> T openAuto(Function<String, T> opener) {
        HypervisorUnavailableException system;
        try {
            return opener.apply(UnicornLibrary.SYSTEM);
        } catch (HypervisorUnavailableException e) {
            system = e;
        }
        Path library;
        try {
            library = wheel.locate();
        } catch (HypervisorUnavailableException e) {
            throw new HypervisorUnavailableException("the emulator backend needs Unicorn 2: " + INSTALL_SYSTEM
                    + ", or " + INSTALL_WHEEL + " (its wheel bundles the library). The system's libunicorn.so.2: "
                    + system.getMessage() + "; a pip-installed unicorn wheel: " + e.getMessage(), system);
        }
        try {
            return opener.apply(library.toString());
        } catch (HypervisorUnavailableException e) {
            throw new HypervisorUnavailableException("the emulator backend needs Unicorn 2: " + INSTALL_SYSTEM
                    + ". The system's libunicorn.so.2: " + system.getMessage() + "; the pip-installed unicorn wheel's "
                    + library + ": " + e.getMessage(), e);
        }
    }

    private <T> T openFile(Path library, Function<String, T> opener) {
        try {
            return opener.apply(library.toString());
        } catch (HypervisorUnavailableException e) {
            throw misconfigured(library + " does not load: " + e.getMessage(), e);
        }
    }

    /** @return the setting as an absolute path to an existing file */
    private Path path() {
        Path library;
        try {
            library = Path.of(setting).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw misconfigured("not a path: " + e.getMessage() + "; use " + AUTO + ", " + SYSTEM + ", " + WHEEL
                    + " or the path of a libunicorn.so.2", e);
        }
        if (!Files.isRegularFile(library)) {
            throw misconfigured("there is no file " + library + "; use " + AUTO + ", " + SYSTEM + ", " + WHEEL
                    + " or the path of a libunicorn.so.2", null);
        }
        return library;
    }

    private KvmGuestConfigurationException misconfigured(String why, Throwable cause) {
        return new KvmGuestConfigurationException(PARAMETER + "=" + setting + ", but " + why, cause);
    }
}
