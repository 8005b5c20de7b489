package io.github.junitkvm.guest;

import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.backend.VirtualMachine;

/**
 * Guest memory seen through a machine: checks every access against the RAM layout before the
 * backend sees it, so a bad address is an {@link IllegalArgumentException} naming it, never a
 * native fault; splits accesses that cross from one region into an adjacent one.
 */
final class RamView implements GuestMemory {
    private final VirtualMachine machine;
    private final RamLayout layout;
    private final Runnable checkUsable;

    /**
     * @param machine the machine whose memory this is
     * @param layout its RAM regions
     * @param checkUsable throws {@link IllegalStateException} when the view may no longer be used
     */
    RamView(VirtualMachine machine, RamLayout layout, Runnable checkUsable) {
        this.machine = machine;
        this.layout = layout;
        this.checkUsable = checkUsable;
    }

    @Override
    public byte[] read(long address, int length) {
        if (length < 0) {
            throw new IllegalArgumentException(String.format(
                    "cannot read a negative length %d at guest address 0x%x", length, address));
        }
        // Checked before the buffer is allocated, so that a length outside RAM costs nothing.
        Iterable<RamLayout.Piece> pieces = pieces("read", address, length);
        byte[] data = new byte[length];
        for (RamLayout.Piece piece : pieces) {
            byte[] part = machine.readMemory(piece.address(), piece.length());
            System.arraycopy(part, 0, data, piece.offset(), piece.length());
        }
        return data;
    }

    @Override
    public void write(long address, byte... data) {
        for (RamLayout.Piece piece : pieces("write", address, data.length)) {
            byte[] part = new byte[piece.length()];
            System.arraycopy(data, piece.offset(), part, 0, piece.length());
            machine.writeMemory(piece.address(), part);
        }
    }

    private Iterable<RamLayout.Piece> pieces(String verb, long address, int length) {
        checkUsable.run();
        return layout.split(address, length).orElseThrow(() -> new IllegalArgumentException(String.format(
                "cannot %s %d bytes at guest address 0x%x: not inside guest RAM %s",
                verb, length, address, layout.describe())));
    }
}
