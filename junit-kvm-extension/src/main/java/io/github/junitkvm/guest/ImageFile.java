package io.github.junitkvm.guest;

import java.io.IOException;
import java.io.InputStream;

/**
 * A file that can be read from its start as often as needed, such as a classpath resource, so
 * that a reader need not hold it whole: it reads the parts it needs, and can go back.
 */
@FunctionalInterface
interface ImageFile {
    /** The most bytes read from an image file at once: they go into one Java array. */
    int MAX_READ = Integer.MAX_VALUE - 8;

    /**
     * @return a new stream of the file from its first byte, which the caller closes
     * @throws IOException if the file cannot be opened
     */
    InputStream open() throws IOException;
}
