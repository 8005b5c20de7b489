package io.github.junitkvm.bench;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ARCH_X86;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ERR_OK;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_INSN;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MODE_16;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_ALL;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_OUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_ECX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EDX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EIP;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.emulator.unicorn.OutHook;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The OUT loop in libunicorn inside this JVM, each exit a JNA callback into Java that counts it:
 * the cost of JNA's callback alone, without the emulator's worker process, its pipe, or the
 * extension's recording. It tells how much of the gap to C is JNA's and how much is the rest.
 */
public final class JnaUnicornExits {
    private static final long ADDRESS = 0x1000;
    private static final long SIZE = 0x1000;

    private final UnicornLibrary uc = UnicornLibrary.load(UnicornLibrary.SYSTEM);

    /**
     * @param guest the OUT loop guest: its code and port
     * @param budget how long one run should last; its exit count adapts to it
     * @return a round: exits per second of one run
     */
    public Round round(KvmGuest guest, Duration budget) {
        byte[] code = HexFormat.of().parseHex(guest.code().replace(" ", ""));
        long port = guest.registers().rdx();
        Budgeted exits = new Budgeted(budget, 100_000, 0xffff_ffffL);
        return () -> {
            long count = exits.count();
            long[] seen = new long[1];
            OutHook hook = (engine, p, size, value, userData) -> seen[0]++;
            PointerByReference opened = new PointerByReference();
            check(uc.uc_open(UC_ARCH_X86, UC_MODE_16, opened), "uc_open");
            Pointer engine = opened.getValue();
            try {
                check(uc.uc_mem_map(engine, ADDRESS, SIZE, UC_PROT_ALL), "uc_mem_map");
                try (Memory bytes = new Memory(code.length)) {
                    bytes.write(0, code, 0, code.length);
                    check(uc.uc_mem_write(engine, ADDRESS, bytes, code.length), "uc_mem_write");
                }
                check(uc.uc_hook_add(engine, new LongByReference(), UC_HOOK_INSN, hook, null, 1, 0, UC_X86_INS_OUT),
                        "uc_hook_add");
                write(engine, UC_X86_REG_CS, 0);
                write(engine, UC_X86_REG_ECX, count);
                write(engine, UC_X86_REG_EDX, port);
                write(engine, UC_X86_REG_EIP, ADDRESS);
                long start = System.nanoTime();
                check(uc.uc_emu_start(engine, ADDRESS, -1L, 0, 0), "uc_emu_start");
                long elapsed = System.nanoTime() - start;
                if (seen[0] != count) {
                    throw new IllegalStateException("the OUT loop of " + count + " made " + seen[0] + " OUT callbacks");
                }
                exits.took(elapsed);
                return (count + 1) / (elapsed / 1e9);
            } finally {
                uc.uc_close(engine);
                // Unicorn calls the hook through a native trampoline that lives only as long as it.
                Reference.reachabilityFence(hook);
            }
        };
    }

    private void write(Pointer engine, int register, long value) {
        try (Memory cell = new Memory(8)) {
            cell.setLong(0, value);
            check(uc.uc_reg_write(engine, register, cell), "uc_reg_write(" + register + ")");
        }
    }

    private void check(int error, String what) {
        if (error != UC_ERR_OK) {
            throw new IllegalStateException(what + ": " + uc.uc_strerror(error));
        }
    }
}
