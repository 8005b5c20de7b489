package io.github.junitkvm.guest;

import io.github.junitkvm.Backend;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Chooses the hypervisor by the {@code junitkvm.backend} setting: {@code auto} (KVM when
 * {@code /dev/kvm} can be opened, else the emulator), {@code kvm} or {@code emulator}. Each backend
 * is opened at most once per JVM, and its failure to open is remembered too, so that a machine
 * without KVM does not probe for it before every test.
 */
public final class BackendSelector {
    /** The name of the configuration parameter (or system property). */
    public static final String PARAMETER = "junitkvm.backend";
    /** The value that lets the selector choose. */
    public static final String AUTO = "auto";

    private static final System.Logger LOG = System.getLogger(BackendSelector.class.getName());

    private final Map<Backend, Supplier<Hypervisor>> openers;
    private final Map<Backend, Opened> opened = new ConcurrentHashMap<>();
    private volatile boolean autoChoiceLogged;

    /**
     * @param openers how each backend is opened; an opener throws
     *     {@link HypervisorUnavailableException} saying why it cannot be
     */
    public BackendSelector(Map<Backend, Supplier<Hypervisor>> openers) {
        this.openers = Map.copyOf(openers);
    }

    /**
     * @param setting the {@code junitkvm.backend} value, or empty for {@code auto}
     * @return why no backend can run guests under this setting, when {@code auto} finds none;
     *     empty when one can, or when the setting names a backend (that test fails instead)
     */
    public Optional<String> whyNoBackend(Optional<String> setting) {
        if (parse(setting).isPresent()) {
            return Optional.empty();
        }
        Opened kvm = open(Backend.KVM);
        if (kvm.hypervisor() != null) {
            return Optional.empty();
        }
        Opened emulator = open(Backend.EMULATOR);
        if (emulator.hypervisor() != null) {
            return Optional.empty();
        }
        return Optional.of("no backend can run guests here (junitkvm.backend=auto): KVM: "
                + kvm.failure().getMessage() + "; emulator: " + emulator.failure().getMessage());
    }

    /**
     * @param setting the {@code junitkvm.backend} value, or empty for {@code auto}
     * @return the hypervisor to create the test's VM on
     * @throws KvmGuestConfigurationException if the setting is invalid, or names a backend that is
     *     unavailable, or is {@code auto} and none is available
     */
    public Hypervisor select(Optional<String> setting) {
        Optional<Backend> named = parse(setting);
        if (named.isPresent()) {
            Opened chosen = open(named.get());
            if (chosen.hypervisor() == null) {
                throw new KvmGuestConfigurationException(String.format("%s=%s, but the %s backend is unavailable: %s",
                        PARAMETER, setting.orElseThrow(), named.get(), chosen.failure().getMessage()),
                        chosen.failure());
            }
            return chosen.hypervisor();
        }
        Opened kvm = open(Backend.KVM);
        Opened choice = kvm.hypervisor() != null ? kvm : open(Backend.EMULATOR);
        if (choice.hypervisor() == null) {
            throw new KvmGuestConfigurationException(whyNoBackend(setting).orElseThrow());
        }
        logAutoChoice(choice.hypervisor().backend(), kvm);
        return choice.hypervisor();
    }

    private void logAutoChoice(Backend chosen, Opened kvm) {
        if (autoChoiceLogged) {
            return;
        }
        autoChoiceLogged = true;
        LOG.log(Level.INFO, chosen == Backend.KVM
                ? "junit-kvm: backend auto chose KVM: /dev/kvm is usable"
                : "junit-kvm: backend auto chose EMULATOR (Unicorn), because KVM is unavailable: "
                        + kvm.failure().getMessage());
    }

    private Opened open(Backend backend) {
        return opened.computeIfAbsent(backend, b -> {
            try {
                return new Opened(openers.get(b).get(), null);
            } catch (HypervisorUnavailableException e) {
                return new Opened(null, e);
            }
        });
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

    /** The outcome of opening one backend: the hypervisor, or why not. */
    private record Opened(Hypervisor hypervisor, HypervisorUnavailableException failure) {
    }
}
