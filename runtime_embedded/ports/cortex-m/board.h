/* The Cortex-M port's board layer (startup.c): what the linker script lays out and the few core peripherals the
 * runner uses. Works on any Armv7-M / Armv8-M core; the memory map comes from the board's linker script. */
#ifndef TL_BOARD_H
#define TL_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* The RAM the program does not use: from the end of .bss (16-byte aligned) to the bottom of the stack. */
uint8_t *tl_board_free_ram(size_t *size);

/* Start SysTick from the core clock (24-bit down counter, wraps counted in an interrupt). */
void tl_board_ticks_start(void);

/* Core-clock ticks since tl_board_ticks_start. Under QEMU with -icount shift=0 each instruction advances virtual
 * time by 1 ns, so ticks * (1e9 / core clock) is the number of instructions: repeatable to the tick. */
uint64_t tl_board_ticks(void);

/* Ticks taken by a loop of exactly 2 * iterations instructions (SUBS + BNE per iteration, plus a few): with
 * -icount, 2 * iterations / ticks is the instructions per tick. */
uint32_t tl_board_calibrate(uint32_t iterations);

/* Deepest stack use so far, in bytes (the stack is painted at reset). */
uint32_t tl_board_stack_used(void);

#endif /* TL_BOARD_H */
