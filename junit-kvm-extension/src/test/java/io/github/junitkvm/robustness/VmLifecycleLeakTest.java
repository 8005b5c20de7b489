package io.github.junitkvm.robustness;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.guest.GuestSpec;
import io.github.junitkvm.guest.GuestSpecReader;
import io.github.junitkvm.guest.GuestVm;
import io.github.junitkvm.testsupport.ProcessFootprint;
import io.github.junitkvm.testsupport.SelectedHypervisor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Creates, runs and closes the classic 2+2 guest again and again ({@code junitkvm.lifecycles}
 * times, 10,000 by default) and requires this JVM's file descriptors, memory mappings and resident
 * memory, and the emulator workers' count and memory, to stay flat within the bounds below: a leak
 * of one descriptor or one mapping per VM would exceed them many times over, and one 4 KiB page per
 * VM (40 MiB over 10,000 VMs) more than twice.
 */
@Tag("long")
@ExtendWith(SelectedHypervisor.class)
class VmLifecycleLeakTest {
    private static final int LIFECYCLES = Integer.getInteger("junitkvm.lifecycles", 10_000);
    /** The JVM, JNA and malloc map memory of their own on first use; the baseline is taken after. */
    private static final int WARM_UP = Math.min(500, LIFECYCLES / 2);
    /** An fd can come and go with JVM activity (a worker being replaced, a class file read). */
    static final long FD_BOUND = 4;
    /** Mappings come and go with GC, JIT and thread stacks. */
    static final long MAPPING_BOUND = 64;
    /**
     * Memory of each kind — this JVM's outside the heap, its heap in use, the workers' — may grow
     * by this much: room for JIT code and GC structures to settle. The heap's committed size is left
     * out: the collector grows it at will, leak or not.
     */
    static final long RESIDENT_BOUND_KIB = 16 * 1024;


    private final GuestSpec classic;

    VmLifecycleLeakTest() throws NoSuchMethodException {
        classic = new GuestSpecReader(getClass().getClassLoader())
                .read(getClass().getDeclaredMethod("classic").getAnnotation(KvmGuest.class));
    }

    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), code = "ba f8 03 00 d8 04 30 ee b0 0a ee f4",
              registers = @Registers(rax = 2, rbx = 2))
    private void classic() {
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void tenThousandVmsLeaveNothingBehind(Hypervisor hypervisor, TestReporter reporter) throws InterruptedException {
        cycles(hypervisor, WARM_UP);
        ProcessFootprint before = ProcessFootprint.settled();

        cycles(hypervisor, LIFECYCLES);
        ProcessFootprint after = ProcessFootprint.settled();

        reporter.publishEntry("footprint over " + LIFECYCLES + " lifecycles", before + " -> " + after);
        assertThat(after.fileDescriptors()).as("open file descriptors (before: %s)", before)
                .isBetween(before.fileDescriptors() - FD_BOUND, before.fileDescriptors() + FD_BOUND);
        assertThat(after.mappings()).as("lines of /proc/self/maps (before: %s)", before)
                .isBetween(before.mappings() - MAPPING_BOUND, before.mappings() + MAPPING_BOUND);
        assertThat(after.nativeResidentKib()).as("resident KiB of this JVM outside its heap (before: %s)", before)
                .isLessThan(before.nativeResidentKib() + RESIDENT_BOUND_KIB);
        assertThat(after.heapUsedKib()).as("KiB of Java heap in use (before: %s)", before)
                .isLessThan(before.heapUsedKib() + RESIDENT_BOUND_KIB);
        assertThat(after.children()).as("emulator workers (before: %s)", before).isLessThanOrEqualTo(
                Math.max(before.children(), 1));
        assertThat(after.childrenResidentKib()).as("resident KiB of the workers (before: %s)", before)
                .isLessThan(before.childrenResidentKib() + RESIDENT_BOUND_KIB);
    }

    private void cycles(Hypervisor hypervisor, int count) {
        for (int i = 0; i < count; i++) {
            try (GuestVm vm = GuestVm.create(hypervisor, classic)) {
                assertThat(vm.run()).haltedNormally().hasSerialOutput("4\n");
            }
        }
    }

}
