package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ARCH_X86;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ERR_OK;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MODE_64;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_ALL;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RAX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RBX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RCX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RDX;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.github.junitkvm.backend.CpuidEntry;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Unicorn's own CPUID, the emulator's counterpart of {@code KVM_GET_SUPPORTED_CPUID}: read once per
 * worker by executing {@code CPUID} for every leaf, and subleaf where the answer depends on it, in
 * an engine of its own. Unicorn 2.0 models an AMD {@code qemu64}, 2.1 an Intel CPU: the leaves
 * differ between versions, and from the host's.
 */
final class UnicornCpuid {
    private static final long CODE = 0x1000;
    private static final byte[] CPUID = {0x0f, (byte) 0xa2};
    private static final int EXTENDED = 0x80000000;
    /** The leaves whose answer depends on {@code ECX}, as KVM flags them. */
    private static final Set<Integer> INDEXED = Set.of(0x4, 0x7, 0xb, 0xd, 0xf, 0x10, 0x12, 0x14, 0x17, 0x18,
            0x1d, 0x1e, 0x1f, 0x8000001d);
    /** The subleaves read of each indexed leaf: leaf 0xD's state components go up to 63. */
    private static final int SUBLEAVES = 64;
    /** Above this, a highest leaf is taken for garbage: nothing is read beyond it. */
    private static final int MAX_LEAVES = 0x40;

    private static List<CpuidEntry> table;

    private UnicornCpuid() {
    }

    /**
     * @param uc the library
     * @return its CPUID entries; all-zero subleaves are left out, as they answer as absent ones do
     */
    static synchronized List<CpuidEntry> of(UnicornLibrary uc) {
        if (table == null) {
            table = read(uc);
        }
        return table;
    }

    private static List<CpuidEntry> read(UnicornLibrary uc) {
        PointerByReference opened = new PointerByReference();
        check(uc, uc.uc_open(UC_ARCH_X86, UC_MODE_64, opened), "uc_open");
        Pointer handle = opened.getValue();
        try {
            check(uc, uc.uc_mem_map(handle, CODE, 0x1000, UC_PROT_ALL), "uc_mem_map");
            try (Memory code = new Memory(CPUID.length)) {
                code.write(0, CPUID, 0, CPUID.length);
                check(uc, uc.uc_mem_write(handle, CODE, code, CPUID.length), "uc_mem_write");
            }
            RegisterPort port = new RegisterPort(uc, handle);
            List<CpuidEntry> entries = new ArrayList<>();
            for (int range : new int[] {0, EXTENDED}) {
                int highest = execute(uc, handle, port, range, 0).eax();
                for (int leaf = range; Integer.compareUnsigned(leaf, highest) <= 0 && leaf - range < MAX_LEAVES; leaf++) {
                    if (INDEXED.contains(leaf)) {
                        for (int subleaf = 0; subleaf < SUBLEAVES; subleaf++) {
                            CpuidEntry entry = execute(uc, handle, port, leaf, subleaf);
                            if (subleaf == 0 || entry.eax() != 0 || entry.ebx() != 0 || entry.ecx() != 0 || entry.edx() != 0) {
                                entries.add(new CpuidEntry(leaf, subleaf, true, entry.eax(), entry.ebx(), entry.ecx(),
                                        entry.edx()));
                            }
                        }
                    } else {
                        entries.add(execute(uc, handle, port, leaf, 0));
                    }
                }
            }
            return List.copyOf(entries);
        } finally {
            uc.uc_close(handle);
        }
    }

    private static CpuidEntry execute(UnicornLibrary uc, Pointer handle, RegisterPort port, int leaf, int subleaf) {
        port.write(UC_X86_REG_RAX, leaf & 0xffffffffL);
        port.write(UC_X86_REG_RCX, subleaf & 0xffffffffL);
        check(uc, uc.uc_emu_start(handle, CODE, CODE + CPUID.length, 0, 0),
                String.format(Locale.ROOT, "uc_emu_start(CPUID 0x%x.0x%x)", leaf, subleaf));
        return new CpuidEntry(leaf, 0, false, (int) port.read(UC_X86_REG_RAX), (int) port.read(UC_X86_REG_RBX),
                (int) port.read(UC_X86_REG_RCX), (int) port.read(UC_X86_REG_RDX));
    }

    private static void check(UnicornLibrary uc, int error, String what) {
        if (error != UC_ERR_OK) {
            throw new UnicornException(what + " while reading Unicorn's CPUID", error, uc.uc_strerror(error));
        }
    }
}
