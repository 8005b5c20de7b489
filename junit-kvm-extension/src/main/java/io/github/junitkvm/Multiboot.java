package io.github.junitkvm;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Boots {@link KvmGuest#resource()} as a Multiboot (version 1) kernel, inside
 * {@link KvmGuest#multiboot()}: the image must carry a Multiboot header (magic
 * {@code 0x1BADB002}, 4-aligned, in its first 8192 bytes, with a valid checksum). An ELF image is
 * loaded by its program headers, a flat one by the header's address fields (flag bit 16); the
 * modules are loaded after the kernel, page-aligned, and the information structure (memory sizes,
 * memory map, command line, modules, boot loader name) in RAM neither occupies. The vCPU starts as
 * the specification says: 32-bit protected mode with flat 4 GiB segments, paging off, interrupts
 * off, {@code EAX = 0x2BADB002}, {@code EBX} the information structure's address, at the kernel's
 * entry point. A header whose flags ask for what this loader does not provide (the video mode, bit
 * 2, or an unknown bit among 0 to 15) fails the test naming the flag.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Multiboot {
    /** @return the kernel's command line (ASCII), as a boot loader's {@code kernel} line gives it */
    String commandLine() default "";

    /** @return the modules, in the order the kernel finds them */
    Module[] modules() default {};

    /**
     * One Multiboot module: a classpath file loaded into guest RAM, with its string.
     */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({})
    @interface Module {
        /** @return the classpath resource holding the module's bytes */
        String resource();

        /** @return the module's string (ASCII), commonly its name and arguments */
        String string() default "";
    }
}
