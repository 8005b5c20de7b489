/**
 * Firmware played in Java ({@link io.github.junitkvm.Firmware}): the firmware ROM whose entry
 * points the interrupt vector table and the ROM's IDTs point at, the traps from those entry points
 * to the host ({@link io.github.junitkvm.firmware.InterruptTraps}), and a PC BIOS served through
 * them ({@link io.github.junitkvm.firmware.PcBios}). It uses the VM only through the public
 * {@link io.github.junitkvm.KvmVm}, as a test's handler would, so it works alike on every backend.
 */
package io.github.junitkvm.firmware;
