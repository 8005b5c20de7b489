package io.github.junitkvm.guest;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestText;
import io.github.junitkvm.VmExit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A one-line description of everything a run did that should not depend on the backend, made to
 * compare runs of one guest on KVM and on the emulator: how it stopped, the serial output, the
 * exits (counted and hashed, so a chatty guest stays one line; a guest of several vCPUs hashed
 * vCPU by vCPU) and the general registers at the stop. Fields are separated by {@code "; "} and
 * start with their name.
 *
 * <p>RFLAGS is left out: instructions such as {@code DIV} leave flags undefined, and real CPUs
 * and the emulator fill them differently. So is the duration.
 */
public final class RunDigest {
    /** The fields, in order. */
    public static final String[] FIELDS = {"stop", "serial", "exits", "registers"};

    private RunDigest() {
    }

    /**
     * @param run a run
     * @return its digest
     */
    public static String of(GuestRun run) {
        return String.join("; ",
                "stop=" + run.lastExit().reason(),
                "serial=\"" + GuestText.literal(run.serialOutput()) + "\"",
                "exits=" + run.exits().size() + " sha256:" + sha256(exitsByVcpu(run)),
                "registers=" + registers(run));
    }

    /**
     * Each vCPU's exits in its own order, vCPU by vCPU: how the exits of several vCPUs interleave
     * depends on timing, on KVM from run to run, so only each vCPU's sequence is the guest's.
     */
    private static String exitsByVcpu(GuestRun run) {
        if (run.vcpuCount() == 1) {
            return lines(run.exits());
        }
        return IntStream.range(0, run.vcpuCount())
                .mapToObj(vcpu -> "vCPU " + vcpu + ":\n" + lines(run.vcpu(vcpu).exits()))
                .collect(Collectors.joining("\n"));
    }

    private static String lines(List<VmExit> exits) {
        return exits.stream().map(VmExit::toString).collect(Collectors.joining("\n"));
    }

    private static String registers(GuestRun run) {
        try {
            GeneralRegisters r = run.registers();
            long[] values = r.toArray();
            StringBuilder text = new StringBuilder();
            // The last value is RFLAGS: see the class comment.
            for (int i = 0; i < values.length - 1; i++) {
                text.append(i == 0 ? "" : ",").append(Long.toHexString(values[i]));
            }
            return text.toString();
        } catch (IllegalStateException e) {
            return "unavailable";
        }
    }

    private static String sha256(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
