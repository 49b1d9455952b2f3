/* Context switch for x86-64 System V.
 *
 * void gtkloop_fiber_asm_switch (void **save_sp, void *to_sp);
 *
 * Pushes the callee-saved state onto the current stack, stores the stack
 * pointer in *save_sp, loads to_sp and pops the same layout from there.
 * Caller-saved registers need no saving: the C caller already assumes a
 * call clobbers them. MXCSR and the x87 control word are callee-saved by
 * the ABI (a fiber may change the rounding mode), so they travel too.
 *
 * Frame at the saved stack pointer, lowest address first (see
 * gtkloop_fiber_asm_prepare () in fiber-context-private.h):
 *   0: MXCSR (4 bytes), x87 control word (2 bytes)
 *   8: r15  16: r14  24: r13  32: r12  40: rbx  48: rbp  56: return address
 */
        .text
        .globl  gtkloop_fiber_asm_switch
        .hidden gtkloop_fiber_asm_switch
        .type   gtkloop_fiber_asm_switch, @function
        .p2align 4
gtkloop_fiber_asm_switch:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   gtkloop_fiber_asm_switch, .-gtkloop_fiber_asm_switch

/* A new fiber's first "return" lands here with the entry function in r12
 * and its argument in rbx, and rsp 16-byte aligned. The entry never
 * returns; the undefined return address ends debugger backtraces here. */
        .globl  gtkloop_fiber_asm_start
        .hidden gtkloop_fiber_asm_start
        .type   gtkloop_fiber_asm_start, @function
        .p2align 4
gtkloop_fiber_asm_start:
        .cfi_startproc
        .cfi_undefined rip
        movq    %rbx, %rdi
        callq   *%r12
        ud2
        .cfi_endproc
        .size   gtkloop_fiber_asm_start, .-gtkloop_fiber_asm_start

        .section .note.GNU-stack,"",%progbits
