/**
 * Disassembly of guest code for failure reports: {@link io.github.junitkvm.disasm.Disassemblers#preferred()}
 * is Capstone ({@code libcapstone.so.4}, through JNA) where it is installed, and a hex listing
 * otherwise, which says why and what to install. Nothing here knows about guests or backends: it
 * turns bytes at an address into lines of text.
 */
package io.github.junitkvm.disasm;
