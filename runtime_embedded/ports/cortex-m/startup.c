/* Cortex-M startup with no C library: the vector table, the reset handler (FPU/MVE on, .data copied, .bss zeroed,
 * stack painted, main called, its result the semihosting exit code), fault handlers that report and exit, and
 * SysTick for tick counting. Linker symbols come from ports/cortex-m/sections.ld. */
#include <stdint.h>

#include "board.h"
#include "semihost.h"

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_MAX 0x00FFFFFFu
#define STACK_PAINT 0x5AA5C33Cu
#define EXIT_FAULT_BASE 100u /* exit code 100 + the exception number (103: HardFault) */

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint8_t __heap_start[], __stack_limit[], __stack_top[];

int main(void);
void Reset_Handler(void) __attribute__((noreturn));
void Default_Handler(void);
void SysTick_Handler(void);

/* newlib-free builds still reference these from libgcc in some configurations */
void _init(void);
void _fini(void);
void _init(void)
{
}
void _fini(void)
{
}

static volatile uint32_t tick_wraps;

typedef void (*tl_vector)(void);

/* The Armv7-M / Armv8-M system exceptions (entries 0..15); no device interrupt is enabled by this port. */
__attribute__((section(".vectors"), used)) static const tl_vector vectors[16] = {
    (tl_vector)(uintptr_t)__stack_top, /* initial SP */
    Reset_Handler,
    Default_Handler, /* NMI */
    Default_Handler, /* HardFault */
    Default_Handler, /* MemManage */
    Default_Handler, /* BusFault */
    Default_Handler, /* UsageFault */
    Default_Handler, /* SecureFault (Armv8-M) */
    0,
    0,
    0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
};

void Reset_Handler(void)
{
    uint32_t *src = __data_load, *dst = __data_start;
    volatile uint32_t *paint = (volatile uint32_t *)(uintptr_t)__stack_limit;
    volatile uint32_t here = 0;

    SCB_CPACR |= 0xFu << 20; /* CP10 + CP11 full access: the FPU, and on Armv8.1-M the MVE (Helium) unit */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    while (dst < __data_end) {
        *dst++ = *src++;
    }
    for (dst = __bss_start; dst < __bss_end; dst++) {
        *dst = 0u;
    }
    /* paint the stack below this frame, leaving 64 bytes of margin */
    while ((uintptr_t)paint + 64u < (uintptr_t)&here) {
        *paint++ = STACK_PAINT;
    }
    tl_sh_exit((uint32_t)main());
}

void Default_Handler(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    ipsr &= 0x1FFu;
    tl_sh_puts("tensorlet: unexpected exception ");
    tl_sh_put_u32(ipsr);
    tl_sh_puts(ipsr == 3u ? " (HardFault)\n" : "\n");
    tl_sh_exit(EXIT_FAULT_BASE + ipsr);
}

void SysTick_Handler(void)
{
    tick_wraps++;
}

void tl_board_ticks_start(void)
{
    SYST_CSR = 0u;
    SYST_RVR = SYST_MAX;
    SYST_CVR = 0u;
    tick_wraps = 0u;
    SYST_CSR = 7u; /* enable, interrupt on wrap, core clock */
}

uint64_t tl_board_ticks(void)
{
    uint32_t wraps, value;
    do {
        wraps = tick_wraps;
        value = SYST_CVR & SYST_MAX;
    } while (wraps != tick_wraps);
    /* the counter reloads to SYST_MAX after reaching 0: SYST_MAX + 1 ticks per wrap */
    return (uint64_t)wraps * (SYST_MAX + 1u) + (value == 0u ? 0u : SYST_MAX + 1u - value);
}

uint32_t tl_board_calibrate(uint32_t iterations)
{
    uint64_t start = tl_board_ticks();
    __asm__ volatile("1:\n\tsubs %0, %0, #1\n\tbne 1b" : "+r"(iterations) : : "cc");
    return (uint32_t)(tl_board_ticks() - start);
}

uint32_t tl_board_stack_used(void)
{
    const uint32_t *p = (const uint32_t *)(uintptr_t)__stack_limit;
    while ((uintptr_t)p < (uintptr_t)__stack_top && *p == STACK_PAINT) {
        p++;
    }
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

uint8_t *tl_board_free_ram(size_t *size)
{
    *size = (size_t)((uintptr_t)__stack_limit - (uintptr_t)__heap_start);
    return __heap_start;
}
