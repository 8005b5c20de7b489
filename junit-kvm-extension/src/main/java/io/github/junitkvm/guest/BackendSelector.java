package io.github.junitkvm.guest;

import io.github.junitkvm.Backend;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.ReleaseAll;
import io.github.junitkvm.backend.TransientHypervisorException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Chooses the hypervisor by the {@code junitkvm.backend} setting: {@code auto} (KVM when
 * {@code /dev/kvm} can be opened and runs guests as a CPU does, else the emulator, else a KVM that
 * deviates: see {@link Hypervisor#deviation()}), {@code kvm} or {@code emulator}.
 *
 * <p>What opening a backend settles is remembered until the selector is closed: the open
 * hypervisor, or a {@link HypervisorUnavailableException} (no device, a library not installed), so
 * that a machine without KVM does not probe for it before every test. The selector owns the
 * hypervisors it opens, and closes them on {@link #close()}. A {@link TransientHypervisorException} (out
 * of file descriptors or memory for a moment) settles nothing: {@link #select} tries again after a
 * pause, {@link #ATTEMPTS} times in all, then fails the test with it, and the next test starts
 * afresh. It never turns into a skip, and with {@code auto} a transient failure of KVM does not
 * silently move the test to the emulator either.
 */
public final class BackendSelector implements AutoCloseable {
    /** The name of the configuration parameter (or system property). */
    public static final String PARAMETER = "junitkvm.backend";
    /** The value that lets the selector choose. */
    public static final String AUTO = "auto";
    /**
     * The pauses before the second and the third attempt to open a backend whose opening may
     * succeed later: short, as each test that meets them waits them out.
     */
    static final List<Long> PAUSES_MILLIS = List.of(100L, 300L);
    /** How many times {@link #select} tries to open such a backend. */
    static final int ATTEMPTS = PAUSES_MILLIS.size() + 1;

    private static final System.Logger LOG = System.getLogger(BackendSelector.class.getName());

    private final Map<Backend, Supplier<Hypervisor>> openers;
    private final Pause pause;
    private final Map<Backend, Opened> settled = new ConcurrentHashMap<>();
    private final Map<Backend, Object> openLocks = Map.of(Backend.KVM, new Object(), Backend.EMULATOR, new Object());
    private volatile boolean autoChoiceLogged;
    /** Set under every lock of {@link #openLocks}, so that no backend opens after {@link #close()}. */
    private volatile boolean closed;

    /**
     * @param openers how each backend is opened; an opener throws
     *     {@link HypervisorUnavailableException} saying why it cannot be, or
     *     {@link TransientHypervisorException} saying why it cannot be now
     */
    public BackendSelector(Map<Backend, Supplier<Hypervisor>> openers) {
        this(openers, Thread::sleep);
    }

    /**
     * @param openers as for the public constructor
     * @param pause waits between attempts
     */
    BackendSelector(Map<Backend, Supplier<Hypervisor>> openers, Pause pause) {
        this.openers = Map.copyOf(openers);
        this.pause = pause;
    }

    /**
     * Probes each backend once at most: a transient failure is no reason to skip, so it leaves the
     * decision to {@link #select}, which tries again and fails the test if it must.
     *
     * @param setting the {@code junitkvm.backend} value, or empty for {@code auto}
     * @return why no backend can run guests under this setting, when {@code auto} finds that none
     *     can; empty when one can or may, or when the setting names a backend (that test fails
     *     instead)
     */
    public Optional<String> whyNoBackend(Optional<String> setting) {
        if (parse(setting).isPresent()) {
            return Optional.empty();
        }
        try {
            Opened kvm = open(Backend.KVM, 1);
            if (kvm.hypervisor() != null) {
                return Optional.empty();
            }
            Opened emulator = open(Backend.EMULATOR, 1);
            if (emulator.hypervisor() != null) {
                return Optional.empty();
            }
            return Optional.of("no backend can run guests here (junitkvm.backend=auto): KVM: "
                    + kvm.failure().getMessage() + "; emulator: " + emulator.failure().getMessage());
        } catch (TransientHypervisorException e) {
            return Optional.empty();
        }
    }

    /**
     * @param setting the {@code junitkvm.backend} value, or empty for {@code auto}
     * @return the hypervisor to create the test's VM on
     * @throws KvmGuestConfigurationException if the setting is invalid, or names a backend that is
     *     unavailable, or is {@code auto} and none is available
     * @throws TransientHypervisorException if the backend to use still failed to open, for a reason
     *     that may pass, after {@link #ATTEMPTS} attempts
     */
    public Hypervisor select(Optional<String> setting) {
        Optional<Backend> named = parse(setting);
        try {
            return named.isPresent() ? selectNamed(setting.orElseThrow(), named.get()) : selectAuto(setting);
        } catch (TransientHypervisorException e) {
            throw new TransientHypervisorException(String.format(Locale.ROOT, "%s=%s: %s; this may pass, and the"
                    + " next test tries again", PARAMETER, setting.orElse(AUTO), e.getMessage()), e);
        }
    }

    private Hypervisor selectNamed(String value, Backend backend) {
        Opened chosen = open(backend, ATTEMPTS);
        if (chosen.hypervisor() == null) {
            throw new KvmGuestConfigurationException(String.format("%s=%s, but the %s backend is unavailable: %s",
                    PARAMETER, value, backend, chosen.failure().getMessage()), chosen.failure());
        }
        return chosen.hypervisor();
    }

    private Hypervisor selectAuto(Optional<String> setting) {
        Opened kvm = open(Backend.KVM, ATTEMPTS);
        Optional<String> deviation = kvm.hypervisor() == null ? Optional.empty() : kvm.hypervisor().deviation();
        Opened choice = kvm.hypervisor() != null && deviation.isEmpty() ? kvm : open(Backend.EMULATOR, ATTEMPTS);
        if (choice.hypervisor() == null) {
            // A KVM that deviates still runs guests where nothing else can.
            choice = kvm;
        }
        if (choice.hypervisor() == null) {
            throw new KvmGuestConfigurationException(whyNoBackend(setting).orElseThrow());
        }
        logAutoChoice(choice.hypervisor().backend(), kvm, deviation);
        return choice.hypervisor();
    }

    private void logAutoChoice(Backend chosen, Opened kvm, Optional<String> deviation) {
        if (autoChoiceLogged) {
            return;
        }
        autoChoiceLogged = true;
        String message;
        if (chosen == Backend.KVM) {
            message = "junit-kvm: backend auto chose KVM: /dev/kvm is usable" + deviation.map(
                    why -> ", although " + why + ", and the emulator is unavailable").orElse("");
        } else {
            message = "junit-kvm: backend auto chose EMULATOR (Unicorn), because " + deviation.map(
                    why -> why + "; junitkvm.backend=kvm uses it nonetheless").orElseGet(
                    () -> "KVM is unavailable: " + kvm.failure().getMessage());
        }
        LOG.log(chosen == Backend.KVM && deviation.isPresent() ? Level.WARNING : Level.INFO, message);
    }

    /**
     * Opens a backend once: threads that ask meanwhile wait for its outcome, rather than each
     * starting an emulator worker of its own.
     *
     * @return the settled outcome: the hypervisor, or why the backend cannot be used here
     * @throws TransientHypervisorException if every attempt failed for a reason that may pass
     * @throws IllegalStateException if the selector is closed
     */
    private Opened open(Backend backend, int attempts) {
        requireOpen();
        Opened known = settled.get(backend);
        if (known != null) {
            return known;
        }
        synchronized (openLocks.get(backend)) {
            requireOpen();
            Opened meanwhile = settled.get(backend);
            if (meanwhile != null) {
                return meanwhile;
            }
            Opened outcome = tryToOpen(backend, attempts);
            settled.put(backend, outcome);
            return outcome;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the backends are closed: their test run is over");
        }
    }

    /**
     * Closes every hypervisor this selector opened (the emulator's workers exit, KVM's device is
     * closed); it selects none after. Idempotent.
     */
    @Override
    public void close() {
        synchronized (openLocks.get(Backend.KVM)) {
            synchronized (openLocks.get(Backend.EMULATOR)) {
                closed = true;
            }
        }
        List<Runnable> closes = settled.values().stream().map(Opened::hypervisor).filter(Objects::nonNull)
                .<Runnable>map(hypervisor -> hypervisor::close).toList();
        settled.clear();
        ReleaseAll.run(closes);
    }

    private Opened tryToOpen(Backend backend, int attempts) {
        TransientHypervisorException last = null;
        int made = 0;
        long waited = 0;
        while (made < attempts) {
            if (made > 0) {
                long millis = PAUSES_MILLIS.get(made - 1);
                if (!pause(millis)) {
                    break;
                }
                waited += millis;
            }
            made++;
            try {
                return new Opened(openers.get(backend).get(), null);
            } catch (HypervisorUnavailableException e) {
                return new Opened(null, e);
            } catch (TransientHypervisorException e) {
                last = e;
            }
        }
        throw new TransientHypervisorException(String.format(Locale.ROOT, "the %s backend could not be opened (%s): %s",
                backend, made == 1 ? "tried once" : "tried " + made + " times, pausing " + waited + " ms in all",
                last.getMessage()), last);
    }

    /** @return false if the thread was interrupted while it waited: it then stops trying */
    private boolean pause(long millis) {
        try {
            pause.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Optional<Backend> parse(Optional<String> setting) {
        String value = setting.map(s -> s.trim().toLowerCase(Locale.ROOT)).orElse(AUTO);
        return switch (value) {
            case AUTO, "" -> Optional.empty();
            case "kvm" -> Optional.of(Backend.KVM);
            case "emulator" -> Optional.of(Backend.EMULATOR);
            default -> throw new KvmGuestConfigurationException(String.format(
                    "%s=%s is not a backend: use auto, kvm or emulator", PARAMETER, setting.orElseThrow()));
        };
    }

    /** Waits between attempts; a test gives one that does not. */
    @FunctionalInterface
    interface Pause {
        /**
         * @param millis how long
         * @throws InterruptedException if the thread is interrupted meanwhile
         */
        void sleep(long millis) throws InterruptedException;
    }

    /** The settled outcome of opening one backend: the hypervisor, or why it cannot be used here. */
    private record Opened(Hypervisor hypervisor, HypervisorUnavailableException failure) {
    }
}
