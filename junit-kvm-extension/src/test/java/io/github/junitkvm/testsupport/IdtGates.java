package io.github.junitkvm.testsupport;

/**
 * Assembly routines, GNU as syntax, that guests of the tests call to install their own interrupt
 * handlers in an IDT labelled {@code idt}; compile-time constants, so that an {@code asm}
 * attribute can append them.
 */
public final class IdtGates {
    /** Sets the protected-mode IDT gate for vector %eax to handler %ebx, type and flags %cx (0x8e00). */
    public static final String SET_GATE_32 = """
            setgate: lea     idt(,%eax,8), %edi
                     mov     %bx, (%edi)
                     mov     %cs, %dx
                     mov     %dx, 2(%edi)
                     mov     %cx, 4(%edi)
                     shr     $16, %ebx
                     mov     %bx, 6(%edi)
                     ret
            """;

    /** Sets the long-mode IDT gate at %rdi to an interrupt gate for handler %rbx. */
    public static final String SET_GATE_64 = """
            setgate: mov     %bx, (%rdi)
                     mov     %cs, %dx
                     mov     %dx, 2(%rdi)
                     movw    $0x8e00, 4(%rdi)
                     shr     $16, %rbx
                     mov     %bx, 6(%rdi)
                     shr     $16, %rbx
                     mov     %ebx, 8(%rdi)
                     ret
            """;

    private IdtGates() {
    }
}
