/*
 * Startup for the STM32H743 (Cortex-M7): vector table, Reset_Handler (copies .data, zeroes
 * .bss, points VTOR at the table, calls main); the rest is shared (cortex-m/).
 *
 * The table has the 16 ARMv7-M system words (ARMv7-M ARM B1.5.3) and one word for each of the
 * STM32H743's 150 interrupts, positions 0..149 (RM0433, chapter "Interrupts and events",
 * NVIC vector table: the last one is WKUP at position 149).
 * No interrupt is ever enabled (the board polls), so they all point at the stop loop.
 */
#include "lf_cortex_m.h"

#define STM32H743_NUM_IRQ 150
#define D1 Default_Handler
#define D10 D1, D1, D1, D1, D1, D1, D1, D1, D1, D1

/* VTOR needs the table aligned to a power of two >= its size (166 words): 1 KiB. */
__attribute__((section(".isr_vector"), used, aligned(1024))) const LF_VECTOR_TABLE(STM32H743_NUM_IRQ) lf_vectors = {
    _estack, Reset_Handler, LF_SYSTEM_EXCEPTIONS,
    {D10, D10, D10, D10, D10, D10, D10, D10, D10, D10, D10, D10, D10, D10, D10}, /* 150 */
};

#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u) /* ARMv7-M ARM B3.2.5 */

void Reset_Handler(void) {
  lf_crt0();
  /* The boot address (BOOT_ADD0 = 0x0800) already maps the table; say so explicitly anyway. */
  SCB_VTOR = (uint32_t)(uintptr_t)&lf_vectors;
  __asm__ volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
  (void)main();
  for (;;) {
  }
}
