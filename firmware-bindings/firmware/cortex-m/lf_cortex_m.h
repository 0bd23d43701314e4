/*
 * What every Cortex-M7 target shares: the vector table's shape (ARMv7-M ARM B1.5.3: word 0 the
 * initial SP, word 1 the reset handler, 14 system exception words, then one word per external
 * interrupt), the C runtime start, the stop-on-fault handlers and main(). A target's startup
 * file keeps only its table (its interrupt count) and its Reset_Handler.
 */
#ifndef LF_CORTEX_M_H
#define LF_CORTEX_M_H

#include <stdint.h>

typedef void (*lf_vector)(void);

/* Word 0 is a data pointer, the rest code pointers: a struct keeps that ISO C clean. */
#define LF_VECTOR_TABLE(n_irq)                                                             \
  struct {                                                                                 \
    uint32_t *initial_sp;                                                                  \
    lf_vector reset;                                                                       \
    lf_vector exceptions[14]; /* NMI, HardFault, MemManage, BusFault, UsageFault,          \
                                 4 reserved, SVCall, DebugMonitor, reserved, PendSV, SysTick */ \
    lf_vector irq[n_irq];                                                                  \
  }

/* The 14 system exception words: faults stop the core, reserved words are 0. */
#define LF_SYSTEM_EXCEPTIONS                                                                        \
  {                                                                                                 \
    Default_Handler, HardFault_Handler, Default_Handler, Default_Handler, Default_Handler, 0, 0, 0, \
        0, Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler                    \
  }

/* Linker-script symbols every target's script defines. */
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
int main(void);

/* NVIC set-enable and clear-pending registers, IRQs 32n..32n+31 (ARMv7-M ARM B3.4.3). */
#define LF_NVIC_ISER(n) (*(volatile uint32_t *)(uintptr_t)(0xE000E100u + 4u * (n)))
#define LF_NVIC_ICPR(n) (*(volatile uint32_t *)(uintptr_t)(0xE000E280u + 4u * (n)))

/*
 * Sleeping until the UART has something, without an interrupt handler: PRIMASK is set once, so
 * an enabled interrupt is never taken, yet it still ends a WFI when it becomes pending (ARMv7-M
 * ARM B1.5.19, "WFI wakeup events"). The board then clears the source and the NVIC's pending
 * bit and looks at the UART again. A byte that arrives between that look and the WFI leaves
 * its interrupt pending, so the WFI returns at once: nothing is missed, and an idle board
 * executes nothing (QEMU stops the emulated CPU until the pty has a byte).
 */
static inline void lf_irq_mask(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void lf_wait_for_interrupt(void) { __asm__ volatile("dsb 0xF\n\twfi" ::: "memory"); }

/* Copies .data from flash and zeroes .bss: the C runtime's start, before main(). */
void lf_crt0(void);

#endif /* LF_CORTEX_M_H */
