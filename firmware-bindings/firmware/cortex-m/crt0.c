/* The C runtime start, fault handlers and main() shared by the Cortex-M7 targets. */
#include "lf_cortex_m.h"

#include "lf_board.h"
#include "lf_firmware.h"

void lf_crt0(void) {
  const uint32_t *src = _sidata;
  uint32_t *dst;
  for (dst = _sdata; dst < _edata; ++dst) *dst = *src++;
  for (dst = _sbss; dst < _ebss; ++dst) *dst = 0;
}

/*
 * An unexpected exception or a fault: stop here with interrupts masked. WFI idles the core
 * (and QEMU's host thread) instead of spinning; a debugger still sees where it stopped.
 */
void Default_Handler(void) {
  __asm__ volatile("cpsid i");
  for (;;) __asm__ volatile("wfi");
}

void HardFault_Handler(void) {
  __asm__ volatile("cpsid i");
  for (;;) __asm__ volatile("wfi");
}

int main(void) {
  lf_board_init();
  lf_firmware_run();
  lf_board_reset(); /* the link is gone for good: start over (never returns on a chip) */
  for (;;) {
  }
}
