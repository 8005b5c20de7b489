package io.github.junitkvm.guest;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads ranges of an {@link ImageFile} at any offsets without holding the file: forwards through
 * one stream, reading and dropping what lies between two ranges, and through a new stream when a
 * range starts behind the last. Only the bytes the file really has are read, whatever offsets
 * and counts are asked for, so a file's claims about itself cost nothing.
 */
final class FileRanges implements Closeable {
    private static final int SKIP_BUFFER = 8192;

    private final ImageFile file;
    private final byte[] skipped = new byte[SKIP_BUFFER];
    private InputStream in;
    /** The offset of the next byte {@link #in} gives. */
    private long position;
    /** The file's length, once a read has come to its end; -1 before. */
    private long length = -1;

    /** @param file the file, not yet opened */
    FileRanges(ImageFile file) {
        this.file = file;
    }

    /**
     * @param offset the offset of the first byte, unsigned: one of 2^63 or more is past any file
     * @param count how many bytes
     * @return the bytes from {@code offset}, fewer than {@code count} (maybe none) if the file ends
     *     first; then {@link #length()} is known
     * @throws IOException if the file cannot be read
     */
    byte[] read(long offset, int count) throws IOException {
        if (in == null || Long.compareUnsigned(offset, position) < 0) {
            reopen();
        }
        // Read, not InputStream.skip: a file's stream may skip past its end without saying so.
        long target = offset < 0 ? Long.MAX_VALUE : offset;
        while (position < target) {
            int n = in.read(skipped, 0, (int) Math.min(skipped.length, target - position));
            if (n < 0) {
                length = position;
                return new byte[0];
            }
            position += n;
        }
        // readNBytes allocates as the bytes arrive, not the count asked for.
        byte[] bytes = in.readNBytes(count);
        position += bytes.length;
        if (bytes.length < count) {
            length = position;
        }
        return bytes;
    }

    /** @return the file's length, once a {@link #read} has come short; -1 before */
    long length() {
        return length;
    }

    private void reopen() throws IOException {
        close();
        in = file.open();
        position = 0;
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
            in = null;
        }
    }
}
