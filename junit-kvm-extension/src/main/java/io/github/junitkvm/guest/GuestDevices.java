package io.github.junitkvm.guest;

import io.github.junitkvm.Device;
import java.util.List;
import java.util.Set;

/**
 * The devices a guest opted in to ({@link io.github.junitkvm.KvmGuest#devices()}), with what they
 * serve.
 *
 * @param enabled the devices
 * @param fwCfgFiles the fw_cfg file directory's files, in the order declared; none without
 *     {@link Device#FW_CFG}
 */
public record GuestDevices(Set<Device> enabled, List<File> fwCfgFiles) {
    /** No device beyond the built-in ones. */
    public static final GuestDevices NONE = new GuestDevices(Set.of(), List.of());

    /** Copies the collections. */
    public GuestDevices {
        enabled = Set.copyOf(enabled);
        fwCfgFiles = List.copyOf(fwCfgFiles);
    }

    /**
     * @param device a device
     * @return whether the guest opted in to it
     */
    public boolean has(Device device) {
        return enabled.contains(device);
    }

    /**
     * A file of the fw_cfg directory.
     *
     * @param name its name, 1 to 55 ASCII characters
     * @param content its bytes
     */
    public record File(String name, byte[] content) {
        /** Copies the content. */
        public File {
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }
    }
}
