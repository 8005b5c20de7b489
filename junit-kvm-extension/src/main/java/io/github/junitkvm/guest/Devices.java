package io.github.junitkvm.guest;

import io.github.junitkvm.GuestLibrary;
import io.github.junitkvm.MmioHandler;
import io.github.junitkvm.MsrReadHandler;
import io.github.junitkvm.MsrWriteHandler;
import io.github.junitkvm.PortInHandler;
import io.github.junitkvm.PortOutHandler;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.firmware.FirmwareRom;
import io.github.junitkvm.firmware.InterruptTraps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Who answers the guest's port and MMIO accesses: the test's handlers first, then the built-in
 * devices (COM1, the debug-exit port, the guest library's report port), the devices the guest opted
 * in to (fw_cfg, the interrupt controllers and timers), and the firmware's traps. Unserved reads
 * return all ones, as on an empty bus;
 * unserved writes are dropped (they are recorded all the same). Lives as long as its VM, across
 * runs.
 */
final class Devices {
    static final int DEBUG_EXIT_PORT = 0xf4;
    private static final List<Integer> BUILT_IN_STOP_PORTS = List.of(DEBUG_EXIT_PORT, GuestLibrary.PORT);

    private final Map<Integer, PortInHandler> portIn = new HashMap<>();
    private final Map<Integer, PortOutHandler> portOut = new HashMap<>();
    private final List<MmioRange> mmio = new ArrayList<>();
    private final Map<Long, MsrReadHandler> msrRead = new HashMap<>();
    private final Map<Long, MsrWriteHandler> msrWrite = new HashMap<>();
    private final Serial16550 com1 = new Serial16550(Serial16550.COM1);
    /** QEMU's firmware configuration interface, when the guest opted in to it; null without. */
    private FwCfg fwCfg;
    /** The firmware's, when the guest has firmware; null without. */
    private InterruptTraps firmware;
    /** The modelled interrupt controllers and timers; null until wired. */
    private ChipsetWiring chipset;

    /** @param devices the interrupt controllers and timers, answering after the test's handlers */
    void chipset(ChipsetWiring devices) {
        chipset = devices;
    }

    /** @param traps the firmware whose entry points trap to the host through {@link FirmwareRom#TRAP_PORT} */
    void firmware(InterruptTraps traps) {
        firmware = traps;
    }

    /** @param device the fw_cfg device the guest opted in to */
    void fwCfg(FwCfg device) {
        fwCfg = device;
    }

    void onPortIn(int port, PortInHandler handler) {
        portIn.put(checkNotFirmware(checkPort(port)), handler);
    }

    void onPortOut(int port, PortOutHandler handler) {
        portOut.put(checkNotFirmware(checkPort(port)), handler);
    }

    private int checkNotFirmware(int port) {
        if (firmware != null && port == FirmwareRom.TRAP_PORT) {
            throw new IllegalArgumentException(String.format("port 0x%x is the firmware's: its entry points trap to"
                    + " the host there (serve interrupts with KvmVm.onInterrupt)", port));
        }
        return port;
    }

    /**
     * @param port a port the guest writes
     * @return whether the write may be a call of a firmware entry point
     */
    boolean mayBeFirmwareCall(int port) {
        return firmware != null && port == FirmwareRom.TRAP_PORT;
    }

    /**
     * @param record records the call's exit
     * @return whether the guest's write to the trap port was a call of a firmware entry point, now
     *     served
     */
    boolean serveFirmwareCall(Consumer<VmExit> record) {
        return firmware.serveTrap(record);
    }

    void onMmio(long address, long length, MmioHandler handler) {
        MmioRange range = new MmioRange(address, length, handler);
        for (MmioRange other : mmio) {
            if (range.overlaps(other)) {
                throw new IllegalArgumentException(String.format(
                        "onMmio range [0x%x, 0x%x) overlaps the range [0x%x, 0x%x) registered before",
                        address, address + length, other.address(), other.address() + other.length()));
            }
        }
        mmio.add(range);
    }

    void onMsrRead(long index, MsrReadHandler handler) {
        msrRead.put(checkMsr(index), handler);
    }

    void onMsrWrite(long index, MsrWriteHandler handler) {
        msrWrite.put(checkMsr(index), handler);
    }

    /** @return the MSRs the test's handlers serve, in either direction: the backend leaves them to the test */
    Set<Long> routedMsrs() {
        Set<Long> msrs = new HashSet<>(msrRead.keySet());
        msrs.addAll(msrWrite.keySet());
        return Set.copyOf(msrs);
    }

    /**
     * @param index an MSR
     * @return its read handler, or null if it has none
     */
    MsrReadHandler msrReader(long index) {
        return msrRead.get(index);
    }

    /**
     * @param index an MSR
     * @return its write handler, or null if it has none
     */
    MsrWriteHandler msrWriter(long index) {
        return msrWrite.get(index);
    }

    /**
     * @return the ports whose writes end a run: the debug-exit port and the guest library's report
     *     port ({@link GuestVm} reads the report, then goes on or stops), each unless the test serves it
     */
    Set<Integer> stopPorts() {
        Set<Integer> ports = new HashSet<>();
        for (int port : BUILT_IN_STOP_PORTS) {
            if (!portOut.containsKey(port)) {
                ports.add(port);
            }
        }
        return Set.copyOf(ports);
    }

    /** @return the ports whose writes a test's handler observes, and so must see at the access */
    Set<Integer> observedPorts() {
        Set<Integer> ports = new HashSet<>(portOut.keySet());
        if (chipset != null) {
            ports.addAll(chipset.ports());                   // their state changes at the write
        }
        if (firmware != null) {
            ports.add(FirmwareRom.TRAP_PORT);
        }
        if (fwCfg != null) {
            // A selection must reach the device before the guest's next read of the data port.
            ports.add(FwCfg.SELECTOR_PORT);
        }
        return Set.copyOf(ports);
    }

    long portIn(int port, int size) {
        PortInHandler handler = portIn.get(port);
        if (handler != null) {
            return handler.read(port, size);
        }
        if (com1.serves(port)) {
            return com1.read(port);
        }
        if (fwCfg != null && fwCfg.serves(port)) {
            return fwCfg.read(port, size);
        }
        if (chipset != null && chipset.servesPort(port)) {
            return chipset.portIn(port, size);
        }
        return allOnes(size);
    }

    void portOut(int port, int size, long value) {
        PortOutHandler handler = portOut.get(port);
        if (handler != null) {
            handler.write(port, size, value);
        } else if (com1.serves(port)) {
            com1.write(port, value);
        } else if (fwCfg != null && fwCfg.serves(port)) {
            fwCfg.write(port, value);
        } else if (chipset != null && chipset.servesPort(port)) {
            chipset.portOut(port, size, value);
        }
    }

    long mmioRead(long address, int size) {
        for (MmioRange range : mmio) {
            if (range.contains(address)) {
                return range.handler().read(address, size);
            }
        }
        if (chipset != null && chipset.servesMmio(address)) {
            return chipset.mmioRead(address, size);
        }
        return allOnes(size);
    }

    void mmioWrite(long address, int size, long value) {
        for (MmioRange range : mmio) {
            if (range.contains(address)) {
                range.handler().write(address, size, value);
                return;
            }
        }
        if (chipset != null && chipset.servesMmio(address)) {
            chipset.mmioWrite(address, size, value);
        }
    }

    /**
     * @param port a port about to be written
     * @return whether the write is a byte COM1 transmits (serial output), whoever serves the port
     */
    boolean isSerialTransmit(int port) {
        return com1.isTransmit(port);
    }

    static long allOnes(int size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }

    /**
     * @param port a port number a test gave
     * @return the port
     * @throws IllegalArgumentException if it is not an I/O port
     */
    static int checkPort(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException(String.format("port 0x%x is not an I/O port (0 to 0xffff)", port));
        }
        return port;
    }

    private static long checkMsr(long index) {
        if (index < 0 || index > 0xffffffffL) {
            throw new IllegalArgumentException(String.format("MSR index 0x%x is not 0 to 0xffffffff", index));
        }
        return index;
    }

    /** A test's MMIO handler and the range it serves. */
    private record MmioRange(long address, long length, MmioHandler handler) {
        boolean contains(long a) {
            return a >= address && a - address < length;
        }

        boolean overlaps(MmioRange other) {
            return address < other.address + other.length && other.address < address + length;
        }
    }
}
