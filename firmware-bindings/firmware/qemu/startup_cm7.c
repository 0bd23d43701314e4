/*
 * Startup for the Cortex-M7 of QEMU's mps2-an500: its vector table and Reset_Handler; the rest
 * is shared (cortex-m/). QEMU configures the AN500's NVIC with 32 interrupts (hw/arm/mps2.c);
 * none is ever enabled (the board polls), so they all point at the stop loop.
 */
#include "lf_cortex_m.h"

#define MPS2_NUM_IRQ 32
#define D1 Default_Handler
#define D8 D1, D1, D1, D1, D1, D1, D1, D1

__attribute__((section(".isr_vector"), used)) const LF_VECTOR_TABLE(MPS2_NUM_IRQ) lf_vectors = {
    _estack, Reset_Handler, LF_SYSTEM_EXCEPTIONS, {D8, D8, D8, D8},
};

void Reset_Handler(void) {
  lf_crt0();
  (void)main();
  for (;;) {
  }
}
