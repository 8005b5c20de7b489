package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Where the annotation may stand, and how long a VM lives. */
@KvmGuest(code = "b0 43 e6 e9 f4")  // mov al,'C'; out 0xe9,al; hlt — the class's guest
class LifecycleTest {
    private KvmVm before;

    @BeforeEach
    void prepare(KvmVm vm) {
        before = vm;
        vm.memory().writeByte(0x1001, 'B');  // the guest now prints 'B'
    }

    @AfterEach
    void inspect(KvmVm vm) {
        assertThat(vm).isSameAs(before);
    }

    @Test
    void beforeEachAndTheTestShareOneVm(KvmVm vm, GuestRun run) {
        assertThat(vm).isSameAs(before);
        assertThat(run).haltedNormally().portOutput(0xe9).containsExactly('B');
    }

    @Test
    void theClassAnnotationIsTheDefault(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).memoryAt(0x1000, 5).containsExactly(0xb0, 'B', 0xe6, 0xe9, 0xf4);
    }

    @Test
    @KvmGuest(memory = @Memory(size = 0x2000), code = "b0 4d e6 e9 f4")  // prints 'M'
    void aMethodAnnotationReplacesTheClasssWhole(KvmVm vm) {
        vm.memory().writeByte(0x1001, 'M');  // undo prepare()'s patch: same VM
        GuestRun run = vm.run();

        assertThat(run).portOutput(0xe9).containsExactly('M');
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> vm.memory().read(0x2000, 1)).withMessageContaining("[0x0, 0x2000)");
    }

    @Test
    @PrintsX
    void aMetaAnnotationWorks(GuestRun run) {
        assertThat(run).portOutput(0xe9).containsExactly('B');
        assertThat(run).registers().hasRbx(0x58);
    }

    @Test
    void theVmIsClosedAfterEveryTestWhateverHappened() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(ClosingFixture.class)).execute()
                .testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));

        assertThat(ClosingFixture.vms).hasSize(2).allSatisfy(vm ->
                org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(vm::run)
                        .withMessage("this KvmVm is closed"));
    }

    /** Tests in a {@code @Nested} class inherit the enclosing class's guest. */
    @Nested
    class Inner {
        @Test
        void theEnclosingClassesAnnotationApplies(GuestRun run) {
            assertThat(run).haltedNormally().portOutput(0xe9).containsExactly('B');
        }
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @KvmGuest(code = "b0 43 e6 e9 f4", registers = @io.github.junitkvm.Registers(rbx = 0x58))
    @interface PrintsX {
    }

    /** Run by {@link #theVmIsClosedAfterEveryTestWhateverHappened()} only. */
    @Tag("fixture")
    static class ClosingFixture {
        static final List<KvmVm> vms = new ArrayList<>();

        @Test
        @KvmGuest(code = "f4")
        void passes(KvmVm vm) {
            vms.add(vm);
        }

        @Test
        @KvmGuest(code = "f4")
        void fails(KvmVm vm) {
            vms.add(vm);
            throw new AssertionError("deliberately");
        }
    }
}
