/*
 * lf_board.h for QEMU's mps2-an500 (Cortex-M7): CMSDK APB UART0 for the serial link and the
 * CMSDK APB timer 0 as the cycle counter.
 *
 * Serial link. QEMU's CMSDK UART model has a one-byte RX buffer, but it is lossless for a
 * polling guest: the chardev only hands the UART a byte when uart_can_receive() says RX is
 * enabled and RXFULL is clear (hw/char/cmsdk-apb-uart.c), so the host side simply waits until
 * the guest has read DATA. The baud rate is not modelled (bytes move as fast as the guest
 * polls). TX is the same the other way: a byte the backend cannot take yet keeps TXFULL set,
 * and lf_board_write waits for it to clear, so nothing is dropped either.
 *
 * Cycle counter. QEMU does not implement the DWT: 0xE0001000.. is an unassigned part of the PPB
 * (the "nvic-default" region), RAZ/WI, so CYCCNT always reads 0. TIMER0 is modelled with a
 * ptimer on QEMU_CLOCK_VIRTUAL at the 25 MHz PCLK, i.e. it follows real (host) time. It runs
 * free from 0xFFFFFFFF and lf_board_cycles returns ~VALUE, a 32-bit up-counter at 25 MHz that
 * wraps every ~172 s. It counts real time at SYSCLK rate, not instructions executed by TCG.
 */
#include <stddef.h>
#include <stdint.h>

#include "lf_board.h"
#include "lf_cortex_m.h"
#include "mps2_regs.h"

#define LF_UART_BAUD 115200u

void lf_board_init(void) {
  /* Free-running cycle counter: stop, load 0xFFFFFFFF (RELOAD also loads VALUE), start. */
  TIMER0_CTRL = 0;
  TIMER0_RELOAD = 0xFFFFFFFFu;
  TIMER0_CTRL = TIMER_CTRL_EN;

  /* UART0: 8N1 is fixed; BAUDDIV = 25 MHz / 115200 = 217 (QEMU only passes it to a real
     serial backend; a pty ignores it). Clear stale overrun flags, enable TX and RX. */
  UART0_CTRL = 0;
  UART0_BAUDDIV = MPS2_SYSCLK_HZ / LF_UART_BAUD;
  UART0_STATE = UART_STATE_TXOVR | UART_STATE_RXOVR;
  UART0_INTSTATUS = 0xFu;
  UART0_CTRL = UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXINTEN;
  /* The RX interrupt only wakes the WFI in lf_board_read; PRIMASK keeps it from being taken. */
  lf_irq_mask();
  LF_NVIC_ICPR(0) = 1u << UART0_RX_IRQ;
  LF_NVIC_ISER(0) = 1u << UART0_RX_IRQ;
}

size_t lf_board_read(uint8_t *buf, size_t cap) {
  size_t n = 0;
  uint32_t state;
  if (buf == NULL || cap == 0) return 0;
  /* Sleep until the first byte (see lf_wait_for_interrupt): no busy polling while idle. */
  while (((state = UART0_STATE) & UART_STATE_RXFULL) == 0) {
    lf_wait_for_interrupt();
    UART0_INTSTATUS = UART_INTSTATUS_RX;
    LF_NVIC_ICPR(0) = 1u << UART0_RX_IRQ;
  }
  do {
    if (state & UART_STATE_RXOVR) UART0_STATE = UART_STATE_RXOVR; /* never set under QEMU */
    buf[n++] = (uint8_t)UART0_DATA;
    state = UART0_STATE;
  } while (n < cap && (state & UART_STATE_RXFULL) != 0);
  return n;
}

bool lf_board_write(const uint8_t *buf, size_t len) {
  size_t i;
  if (buf == NULL && len != 0) return false;
  /* QEMU drains TX as fast as the backend takes bytes: nothing to time out on. */
  for (i = 0; i < len; ++i) {
    while (UART0_STATE & UART_STATE_TXFULL) {
    }
    UART0_DATA = buf[i];
  }
  return true;
}

uint32_t lf_board_cycles(void) { return ~TIMER0_VALUE; }

uint32_t lf_board_cycle_hz(void) { return MPS2_SYSCLK_HZ; }

const char *lf_board_name(void) { return "qemu-mps2-an500"; }

/*
 * The emulated board has no unique id, and nothing cheap differs between QEMU instances (the
 * SCC/FPGAIO ids are constants), so every instance reports the same id.
 */
void lf_board_id(char *out, size_t cap) {
  static const char id[] = "mps2-an500";
  size_t i;
  if (out == NULL || cap == 0) return;
  for (i = 0; i + 1 < cap && id[i] != '\0'; ++i) out[i] = id[i];
  out[i] = '\0';
}

void lf_board_reset(void) {
  /* Let the last byte leave the UART first (the `reset` answer must be written out). */
  while (UART0_STATE & UART_STATE_TXFULL) {
  }
  __asm__ volatile("dsb 0xF" ::: "memory");
  /* NVIC_SystemReset (ARMv7-M ARM B3.2.6): QEMU resets the machine and reloads the ELF. */
  SCB_AIRCR = SCB_AIRCR_VECTKEY | (SCB_AIRCR & SCB_AIRCR_PRIGROUP_MASK) | SCB_AIRCR_SYSRESETREQ;
  __asm__ volatile("dsb 0xF" ::: "memory");
  for (;;) {
  }
}

/* The board's own reset button restarts the chip; nothing is ever pending here. */
bool lf_board_reset_pressed(void) { return false; }
