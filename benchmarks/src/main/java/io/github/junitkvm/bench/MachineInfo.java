package io.github.junitkvm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Describes the machine a run measured, for the results file: numbers mean little without it. */
public final class MachineInfo {
    private MachineInfo() {
    }

    /** @return the KVM module loaded: {@code kvm_intel}, {@code kvm_amd}, {@code kvm_pvm}, or {@code none} */
    public static String kvmModule() {
        for (String module : List.of("kvm_pvm", "kvm_intel", "kvm_amd")) {
            if (Files.isDirectory(Path.of("/sys/module", module))) {
                return module;
            }
        }
        return "none";
    }

    /** @return one {@code key: value} line each for the CPU, memory, kernel, KVM, Java and QEMU */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>();
        String cpuinfo = read("/proc/cpuinfo");
        String model = field(cpuinfo, "model name").orElse("unknown CPU");
        boolean virtual = field(cpuinfo, "flags").map(f -> (" " + f + " ").contains(" hypervisor ")).orElse(false);
        lines.add(String.format(Locale.ROOT, "cpu: %s, %d logical CPUs%s", model,
                Runtime.getRuntime().availableProcessors(), virtual ? " (a virtual machine's)" : ""));
        field(read("/proc/meminfo"), "MemTotal").ifPresent(total -> lines.add("memory: " + total));
        lines.add("kernel: Linux " + read("/proc/sys/kernel/osrelease").strip() + ", KVM module " + kvmModule());
        lines.add("java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        firstLine(List.of("qemu-system-x86_64", "--version")).ifPresent(v -> lines.add("qemu: " + v));
        lines.add("load average at start: " + read("/proc/loadavg").strip());
        return lines;
    }

    private static Optional<String> field(String text, String key) {
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                return Optional.of(line.substring(colon + 1).strip());
            }
        }
        return Optional.empty();
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<String> firstLine(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return Optional.empty();
            }
            return output.lines().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
