package io.github.junitkvm.guest;

import io.github.junitkvm.Backend;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.kvm.KvmHypervisor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Run by {@link BackendOpenOutOfFileDescriptorsTest} in a child JVM with a low file descriptor
 * limit: uses up every descriptor, asks selectors with the real openers ({@code auto} and
 * {@code emulator}) whether to skip and which backend to use, as the extension does before a
 * test, then frees the descriptors and asks them again. Prints one line per setting and time.
 */
public final class OpenWithoutFileDescriptors {
    private static final List<FileInputStream> HOARD = new ArrayList<>();
    private static boolean hoarding;

    private OpenWithoutFileDescriptors() {
    }

    /** @param args none */
    public static void main(String[] args) throws Exception {
        // Loading a class from a directory, or a native library, opens a file: all that the answers
        // need is loaded first.
        loadEveryClassOfTheExtension();
        ClassLoader loader = OpenWithoutFileDescriptors.class.getClassLoader();
        Class.forName("io.github.junitkvm.kvm.LibC", true, loader);
        Class.forName(EmulatorHypervisor.class.getName(), true, loader);
        Map<String, BackendSelector> selectors = Map.of("auto", realSelector(), "emulator", realSelector());

        hoarding = true;
        useUpFileDescriptors();
        Map<String, String> exhausted = new TreeMap<>();
        selectors.forEach((setting, selector) -> exhausted.put(setting, answers(selector, setting)));
        int used = HOARD.size();
        hoarding = false;
        for (FileInputStream file : HOARD) {
            file.close();
        }
        Map<String, String> freed = new TreeMap<>();
        selectors.forEach((setting, selector) -> freed.put(setting, answers(selector, setting)));

        System.out.println("descriptors used up: " + used);
        exhausted.forEach((setting, answer) -> System.out.println("exhausted, " + setting + ": " + answer));
        freed.forEach((setting, answer) -> System.out.println("freed, " + setting + ": " + answer));
        selectors.values().forEach(BackendSelector::close);
    }

    /** The real openers, each run with no descriptor free while the hoard is held. */
    private static BackendSelector realSelector() {
        return new BackendSelector(Map.of(
                Backend.KVM, withoutFreeDescriptors(KvmHypervisor::open),
                Backend.EMULATOR, withoutFreeDescriptors(EmulatorHypervisor::open)));
    }

    /**
     * The JVM may free a descriptor at any time (its cleaner closing a stream no one closed): the
     * opener first takes whatever was freed.
     */
    private static <T> Supplier<T> withoutFreeDescriptors(Supplier<T> opener) {
        return () -> {
            if (hoarding) {
                useUpFileDescriptors();
            }
            return opener.get();
        };
    }

    private static String answers(BackendSelector selector, String setting) {
        String skip = selector.whyNoBackend(Optional.of(setting)).orElse("none");
        String select;
        try {
            select = "backend " + selector.select(Optional.of(setting)).backend();
        } catch (RuntimeException e) {
            select = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return "skip = " + skip + "; select = " + select;
    }

    private static void useUpFileDescriptors() {
        while (true) {
            try {
                HOARD.add(new FileInputStream("/dev/null"));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void loadEveryClassOfTheExtension() throws Exception {
        Path classes = Path.of(BackendSelector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (!name.endsWith("package-info") && !name.equals("module-info")) {
                    Class.forName(name, false, OpenWithoutFileDescriptors.class.getClassLoader());
                }
            }
        }
    }
}
