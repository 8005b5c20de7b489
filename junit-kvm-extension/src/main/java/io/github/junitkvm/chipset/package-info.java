/**
 * The PC's interrupt controllers and timers, modelled in Java once for every backend: the 8259A
 * PIC pair ({@link io.github.junitkvm.chipset.PicPair}), the 8254 PIT
 * ({@link io.github.junitkvm.chipset.Pit8254}) and a local APIC per vCPU
 * ({@link io.github.junitkvm.chipset.LocalApic}, joined by the {@link io.github.junitkvm.chipset.ApicBus},
 * which hands NMI, INIT and start-up IPIs to the machine's {@link io.github.junitkvm.chipset.ProcessorSignals}), all counting time on one
 * {@link io.github.junitkvm.chipset.VirtualClock} that moves only when the test or an idle guest
 * moves it, so a run is the same on every backend and every machine.
 * {@link io.github.junitkvm.chipset.Chipset} puts together the devices a guest asked for and is
 * what the machine talks to: ports, MMIO, the interrupt request and its acknowledgement, and the
 * idle guest. Nothing here knows a backend.
 */
package io.github.junitkvm.chipset;
