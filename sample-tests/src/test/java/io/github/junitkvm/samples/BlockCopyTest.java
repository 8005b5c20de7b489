package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import org.junit.jupiter.api.Test;

/**
 * A real-mode block copy ({@code rep movsw}) that checks its own work, word by word, with the GNU
 * as macros of junit-kvm's guest library: {@code .include "junitkvm.inc"} works in any
 * {@code asm} source, and brings {@code KVM_LOG} (a printf-like log line from registers, which
 * keeps every register), {@code KVM_ASSERT_EQ} and {@code KVM_DONE}.
 *
 * <p>What to learn: checks that live in the guest, next to the code they check, and a test that
 * asserts the guest reported done; a word that differs would fail the test showing both values.
 */
@KvmGuest(asm = """
        .include "junitkvm.inc"
                .set    source, 0x2000
                .set    target, 0x3000
                KVM_LOG "copying %u words from %#x to %#x", %cx, %si, %di
                cld
                push    %cx
                rep movsw                       # copies CX words from DS:SI to ES:DI
                pop     %cx
                mov     $source, %si
                mov     $target, %di
        verify: lodsw                           # AX = the source's next word
                KVM_ASSERT_EQ %ax, (%di)        # the copy's word must equal it
                add     $2, %di
                dec     %cx
                jnz     verify
                KVM_DONE
        """)
class BlockCopyTest {
    private static final long SOURCE = 0x2000;
    private static final long TARGET = 0x3000;

    @Test
    void copiesAndChecksEveryWord(KvmVm vm) {
        byte[] words = new byte[2 * 300];
        for (int i = 0; i < words.length; i++) {
            words[i] = (byte) (i * 7);
        }
        vm.memory().write(SOURCE, words);
        vm.setRegisters(vm.registers().withRcx(300).withRsi(SOURCE).withRdi(TARGET));

        GuestRun run = vm.run();

        assertThat(run).reportedDone();
        assertThat(run).guestLog().containsExactly("copying 300 words from 0x2000 to 0x3000");
        assertThat(run).memoryAt(TARGET, words.length).isEqualTo(words);
    }
}
