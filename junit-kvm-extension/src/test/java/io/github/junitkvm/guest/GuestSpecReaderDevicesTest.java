package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.Device;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.Memory;
import org.junit.jupiter.api.Test;

class GuestSpecReaderDevicesTest {
    private final GuestSpecReader reader = new GuestSpecReader(getClass().getClassLoader());

    @KvmGuest(devices = {Device.PIC, Device.PIT, Device.LOCAL_APIC})
    void all() {
    }

    @KvmGuest
    void none() {
    }

    @KvmGuest(devices = Device.PIT)
    void pitWithoutPic() {
    }

    @KvmGuest(devices = {Device.PIC, Device.PIC})
    void twice() {
    }

    @KvmGuest(devices = Device.LOCAL_APIC, memory = {@Memory(size = 0x100000),
            @Memory(guestAddress = 0xfe000000L, size = 0x1000000, readOnly = true)})
    void apicPageInRom() {
    }

    @Test
    void readsTheDevicesAndNoneByDefault() {
        assertThat(read("all").devices().enabled()).containsExactlyInAnyOrder(Device.PIC, Device.PIT, Device.LOCAL_APIC);
        assertThat(read("none").devices().enabled()).isEmpty();
    }

    @Test
    void thePitNeedsThePic() {
        assertThatThrownBy(() -> read("pitWithoutPic")).isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("@KvmGuest(devices = [PIT]): the PIT interrupts through the PIC (IRQ 0): add Device.PIC");
    }

    @Test
    void aDeviceListedTwiceIsAMistake() {
        assertThatThrownBy(() -> read("twice")).isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessageContaining("PIC is listed twice");
    }

    @Test
    void theLocalApicsPageMustNotBeMemoryEvenReadOnly() {
        assertThatThrownBy(() -> read("apicPageInRom")).isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessageContaining("the local APIC's page [0xfee00000, 0xfee01000) overlaps guest RAM")
                .hasMessageContaining("[0xfe000000, 0xff000000) read-only");
    }

    private GuestSpec read(String method) {
        try {
            return reader.read(getClass().getDeclaredMethod(method).getAnnotation(KvmGuest.class));
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }
}
