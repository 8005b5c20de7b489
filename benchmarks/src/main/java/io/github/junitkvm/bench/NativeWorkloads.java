package io.github.junitkvm.bench;

import io.github.junitkvm.KvmGuest;
import java.time.Duration;

/** The rounds of one C baseline program, each checked: the guest must have done what it should. */
public final class NativeWorkloads {
    private final NativeBaseline program;

    /** @param program the compiled C baseline */
    public NativeWorkloads(NativeBaseline program) {
        this.program = program;
    }

    /**
     * @param guest the 2+2 guest
     * @param budget how long a round should last; the loop count adapts to it
     * @return a round: microseconds per VM created, loaded, run and closed
     */
    public Round lifecycle(KvmGuest guest, Duration budget) {
        return loop("lifecycle", guest, budget);
    }

    /**
     * @param guest the 2+2 guest
     * @param budget how long a round should last; the loop count adapts to it
     * @return a round: microseconds per reload and run of one reused VM
     */
    public Round reset(KvmGuest guest, Duration budget) {
        return loop("reset", guest, budget);
    }

    private Round loop(String mode, KvmGuest guest, Duration budget) {
        Budgeted loops = new Budgeted(budget, 10, 100_000_000);
        return () -> {
            long count = loops.count();
            BaselineOutput output = program.run(mode, count, guest, -1);
            requireTwoPlusTwo(output);
            long nanos = output.number("ns");
            loops.took(nanos);
            return nanos / 1e3 / count;
        };
    }

    /**
     * @param guest the OUT loop guest
     * @param budget how long one run should last; the exit count adapts to it
     * @return a round: exits per second of one run
     */
    public Round exits(KvmGuest guest, Duration budget) {
        Budgeted exits = new Budgeted(budget, 100_000, 0xffff_ffffL);
        return () -> {
            long count = exits.count();
            BaselineOutput output = program.run("exits", 1, guest, count);
            if (output.number("exits") != count + 1) {
                throw new IllegalStateException(program.name() + ": the OUT loop of " + count + " made "
                        + output.number("exits") + " exits");
            }
            long nanos = output.number("ns");
            exits.took(nanos);
            return (count + 1) / (nanos / 1e9);
        };
    }

    /**
     * @param guest the 2+2 guest
     * @param vms how many VMs the program keeps alive at once
     * @return a round: KiB of resident memory per live VM
     */
    public Round memory(KvmGuest guest, int vms) {
        return () -> {
            BaselineOutput output = program.run("memory", vms, guest, -1);
            requireTwoPlusTwo(output);
            return (output.number("rss_after_kib") - output.number("rss_before_kib")) / (double) vms;
        };
    }

    private void requireTwoPlusTwo(BaselineOutput output) {
        if (!output.serial().equals("4\n") || output.number("exits") != 3) {
            throw new IllegalStateException(program.name() + ": the 2+2 guest printed '" + output.serial() + "' in "
                    + output.number("exits") + " exits, expected '4\\n' in 3");
        }
    }
}
