package io.github.junitkvm;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A file in the fw_cfg file directory ({@link Device#FW_CFG}), inside
 * {@link KvmGuest#fwCfgFiles()}: its name and content, from a classpath resource or a text. Files
 * get selectors from {@code 0x20} on, in the order declared; the directory lists them sorted by
 * name, as QEMU's does. A guest has at most 1024 files, QEMU's file slots.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface FwCfgFile {
    /** @return the file's name, such as {@code "opt/org.example/config"}: 1 to 55 ASCII characters */
    String name();

    /** @return a classpath resource holding the content; set this or {@link #text()} */
    String resource() default "";

    /** @return the content as text, stored as UTF-8 bytes without a terminator; or {@link #resource()} */
    String text() default "";
}
