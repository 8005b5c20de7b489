package io.github.junitkvm.guest;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.Memory;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.testsupport.AnnotationInstances;
import io.github.junitkvm.testsupport.SelectedHypervisor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A guest with as many RAM regions as the reader allows, {@link GuestSpecReader#MAX_REGIONS}, runs
 * on the backend {@code junitkvm.backend} selects: on KVM each region is a memory slot, and that
 * many must be there to have.
 */
@ExtendWith(SelectedHypervisor.class)
class ManyRegionsTest {
    /** Region {@code i} is the page at {@code 0x1000 + i * 0x2000}, with a hole between each two. */
    private static final long STRIDE = 0x2000;
    private static final long LAST = 0x1000 + (GuestSpecReader.MAX_REGIONS - 1) * STRIDE;

    @Test
    void theMostRegionsAGuestMayHaveAreAllRam(Hypervisor hypervisor) {
        Memory[] memory = new Memory[GuestSpecReader.MAX_REGIONS];
        for (int i = 0; i < memory.length; i++) {
            memory[i] = AnnotationInstances.of(Memory.class, Map.of("guestAddress", 0x1000 + i * STRIDE,
                    "size", 0x1000L));
        }
        // mov byte [0x3000], 0x42 (into the second region); hlt
        KvmGuest guest = AnnotationInstances.of(KvmGuest.class, Map.of("memory", memory, "code", "c6 06 00 30 42 f4"));
        GuestSpec spec = new GuestSpecReader(getClass().getClassLoader()).read(guest);

        try (GuestVm vm = GuestVm.create(hypervisor, spec)) {
            vm.memory().write(LAST + 0xfff, (byte) 0x24);
            GuestRun run = vm.run();

            assertThat(run).haltedNormally().memoryAt(0x3000, 1).containsExactly(0x42);
            assertThat(run).memoryAt(LAST + 0xfff, 1).containsExactly(0x24);
        }
    }
}
