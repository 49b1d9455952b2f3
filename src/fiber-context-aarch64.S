/* Context switch for AArch64 (AAPCS64).
 *
 * void gtkloop_fiber_asm_switch (void **save_sp, void *to_sp);
 *
 * Stores the callee-saved state on the current stack, stores sp in
 * *save_sp, loads to_sp and reloads the same layout from there. x19-x28,
 * the frame pointer x29, the link register x30 (where ret goes), the low
 * halves d8-d15 and FPCR (rounding mode) are what the ABI makes a callee
 * preserve.
 *
 * Frame at the saved stack pointer (176 bytes, keeps sp 16-aligned; see
 * gtkloop_fiber_asm_prepare () in fiber-context-private.h):
 *   0: x19 x20  16: x21 x22  32: x23 x24  48: x25 x26  64: x27 x28
 *   80: x29 x30  96: d8 d9  112: d10 d11  128: d12 d13  144: d14 d15
 *   160: fpcr  168: unused
 */
        .text
        .globl  gtkloop_fiber_asm_switch
        .hidden gtkloop_fiber_asm_switch
        .type   gtkloop_fiber_asm_switch, %function
        .p2align 4
gtkloop_fiber_asm_switch:
        .cfi_startproc
        sub     sp, sp, #176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8, d9, [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mrs     x9, fpcr
        str     x9, [sp, #160]
        mov     x9, sp
        str     x9, [x0]
        mov     sp, x1
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8, d9, [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        ldr     x9, [sp, #160]
        msr     fpcr, x9
        add     sp, sp, #176
        ret
        .cfi_endproc
        .size   gtkloop_fiber_asm_switch, .-gtkloop_fiber_asm_switch

/* A new fiber's first ret lands here with the entry function in x20 and
 * its argument in x19. The entry never returns; the undefined link
 * register ends debugger backtraces here. */
        .globl  gtkloop_fiber_asm_start
        .hidden gtkloop_fiber_asm_start
        .type   gtkloop_fiber_asm_start, %function
        .p2align 4
gtkloop_fiber_asm_start:
        .cfi_startproc
        .cfi_undefined x30
        mov     x0, x19
        blr     x20
        brk     #0
        .cfi_endproc
        .size   gtkloop_fiber_asm_start, .-gtkloop_fiber_asm_start

        .section .note.GNU-stack,"",%progbits
