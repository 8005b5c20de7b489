package io.github.junitkvm.guest;

import io.github.junitkvm.KvmGuestConfigurationException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The classpath resource that {@link io.github.junitkvm.KvmGuest#resource()} names: a file,
 * never a directory (whose stream would be a listing of its entries), read only as far as its
 * reader needs.
 */
final class Resource implements ImageFile {
    private final ClassLoader loader;
    private final String attributeName;
    private final String name;
    private final String path;

    private Resource(ClassLoader loader, String attributeName, String name) {
        this.loader = loader;
        this.attributeName = attributeName;
        this.name = name;
        this.path = name.startsWith("/") ? name.substring(1) : name;
    }

    /**
     * @param loader where the resource is looked up
     * @param name the attribute's value, with or without a leading {@code /}
     * @return the resource
     * @throws KvmGuestConfigurationException if there is no such resource, or it is a directory
     */
    static Resource find(ClassLoader loader, String name) {
        return find(loader, "resource", name);
    }

    /**
     * @param loader where the resource is looked up
     * @param attributeName the attribute that names it, as error messages show it, such as
     *     {@code multiboot.modules[0].resource}
     * @param name the attribute's value, with or without a leading {@code /}
     * @return the resource
     * @throws KvmGuestConfigurationException if there is no such resource, or it is a directory
     */
    static Resource find(ClassLoader loader, String attributeName, String name) {
        Resource resource = new Resource(loader, attributeName, name);
        URL url = loader.getResource(resource.path);
        if (url != null && isDirectory(url)) {
            throw new KvmGuestConfigurationException(String.format(
                    "@KvmGuest(%s): is a directory (%s), not a file: name the image file in it", resource.attribute(), url));
        }
        try (InputStream in = loader.getResourceAsStream(resource.path)) {
            if (in == null) {
                throw new KvmGuestConfigurationException(String.format("@KvmGuest(%s): no such classpath resource: put "
                        + "the file at src/test/resources/%s (or in a jar on the test classpath)",
                        resource.attribute(), resource.path));
            }
        } catch (IOException e) {
            throw resource.unreadable(e);
        }
        return resource;
    }

    /** @return the attribute as written, {@code resource = "name"}, as messages name it */
    String attribute() {
        return attributeName + " = \"" + name + "\"";
    }

    @Override
    public InputStream open() throws IOException {
        InputStream in = loader.getResourceAsStream(path);
        if (in == null) {
            throw new FileNotFoundException("the resource is gone from the classpath");
        }
        return in;
    }

    /**
     * Reads the whole resource if it has at most {@code limit} bytes, and no more than one byte
     * past the limit if it has more.
     *
     * @param limit the most bytes it may have, at most {@link ImageFile#MAX_READ}
     * @return its bytes, or empty if it has more than {@code limit}
     * @throws KvmGuestConfigurationException if it cannot be read
     */
    Optional<byte[]> readAtMost(int limit) {
        try (InputStream in = open()) {
            // readNBytes allocates as the bytes arrive, not the count asked for.
            byte[] bytes = in.readNBytes(limit + 1);
            return bytes.length > limit ? Optional.empty() : Optional.of(bytes);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * @param count how many bytes to read at most
     * @return the resource's first {@code count} bytes, or all of it if it is shorter
     * @throws KvmGuestConfigurationException if it cannot be read
     */
    byte[] readHead(int count) {
        try (InputStream in = open()) {
            return in.readNBytes(count);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * @param e why the resource could not be read
     * @return the exception that fails the test, naming the attribute
     */
    KvmGuestConfigurationException unreadable(IOException e) {
        return new KvmGuestConfigurationException("@KvmGuest(" + attribute() + "): cannot be read: " + e.getMessage(), e);
    }

    /**
     * Files in a directory on the classpath and entries of a jar; a resource of another kind (a
     * custom loader's) is taken for a file.
     */
    private static boolean isDirectory(URL url) {
        try {
            if (url.getProtocol().equals("file")) {
                return Files.isDirectory(Path.of(url.toURI()));
            }
            URLConnection connection = url.openConnection();
            return connection instanceof JarURLConnection jar && jar.getJarEntry() != null
                    && jar.getJarEntry().isDirectory();
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            // Not known to be a directory: reading it tells what it is.
            return false;
        }
    }
}
