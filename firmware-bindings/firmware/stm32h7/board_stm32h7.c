/*
 * lf_board.h for the STM32H743ZI on a NUCLEO-H743ZI: USART3 on PD8 (TX) / PD9 (RX), AF7, which
 * the board routes to the ST-LINK virtual COM port (ST-LINK/V2-1 on NUCLEO-H743ZI, STLINK-V3E
 * on NUCLEO-H743ZI2: same pins); DWT CYCCNT as the cycle counter.
 *
 * Clocks: the reset configuration, kept on purpose. After reset the H743 runs from HSI at
 * 64 MHz (HSIDIV = /1) with every bus prescaler at /1 (RM0433 "RCC": sys_ck = HSI), so the core
 * clock, hclk and pclk1 (USART3's default kernel clock, D2CCIP2R.USART234578SEL = 0) are all
 * 64 MHz. That is valid at every voltage scale, and the flash keeps its reset latency (7 wait
 * states: slow but safe; the I-cache hides it). No PLL: a 400 MHz setup (VOS1, PLL1, flash
 * latency) is a later step that needs a board to verify on.
 * The only power step is the one RM0433 ("PWR", supply configuration) requires once after
 * power-on: lock the supply configuration to the LDO (the NUCLEO-H743ZI's LDO supply) and wait
 * for ACTVOSRDY. I- and D-caches are enabled (no DMA anywhere, so no coherency concerns);
 * build with -DLF_STM32H7_NO_CACHE to leave them off.
 */
#include <stddef.h>
#include <stdint.h>

#include "lf_board.h"
#include "lf_cortex_m.h"
#include "stm32h7_regs.h"

#define LF_CORE_HZ 64000000u  /* HSI, reset default */
#define LF_PCLK1_HZ 64000000u /* USART3 kernel clock */
#define LF_UART_BAUD 115200u
#define LF_SPIN_LIMIT 2000000u /* bounded waits: > 30 ms at 64 MHz */

static void supply_init(void) {
  uint32_t spin;
  if ((PWR_CR3 & PWR_CR3_SCUEN) == 0) return; /* already locked since power-on */
  /* HAL_PWREx_ConfigSupply(PWR_LDO_SUPPLY): LDOEN = 1, BYPASS = 0, SCUEN written 0. */
  PWR_CR3 = (PWR_CR3 & ~(PWR_CR3_SCUEN | PWR_CR3_LDOEN | PWR_CR3_BYPASS)) | PWR_CR3_LDOEN;
  for (spin = 0; spin < LF_SPIN_LIMIT && (PWR_CSR1 & PWR_CSR1_ACTVOSRDY) == 0; ++spin) {
  }
}

#ifndef LF_STM32H7_NO_CACHE
static void dsb_isb(void) { __asm__ volatile("dsb 0xF\n\tisb 0xF" ::: "memory"); }

/* The CMSIS SCB_EnableICache / SCB_EnableDCache sequences (Cortex-M7 TRM, "L1 caches"). */
static void caches_init(void) {
  uint32_t ccsidr, sets, ways;
  dsb_isb();
  SCB_ICIALLU = 0; /* invalidate the whole I-cache */
  dsb_isb();
  SCB_CCR |= SCB_CCR_IC;
  dsb_isb();

  SCB_CSSELR = 0; /* select the L1 data cache */
  __asm__ volatile("dsb 0xF" ::: "memory");
  ccsidr = SCB_CCSIDR;
  sets = (ccsidr >> 13) & 0x7FFFu; /* NumSets - 1 */
  do {
    ways = (ccsidr >> 3) & 0x3FFu; /* Associativity - 1 */
    do {
      SCB_DCISW = ((sets << 5) & 0x3FE0u) | ((ways << 30) & 0xC0000000u);
    } while (ways-- != 0u);
  } while (sets-- != 0u);
  __asm__ volatile("dsb 0xF" ::: "memory");
  SCB_CCR |= SCB_CCR_DC;
  dsb_isb();
}
#endif

/*
 * CYCCNT is deliberately not zeroed: the DWT sits in the debug domain, which only a power-on
 * reset clears, so across the SYSRESETREQ of `reset` it keeps counting and the core's boot
 * value (which reads the counter at boot) differs from the previous boot's.
 */
static void cycle_counter_init(void) {
  DEMCR |= DEMCR_TRCENA;
  DWT_LAR = DWT_LAR_KEY; /* the M7's DWT is locked until this is written */
  DWT_CTRL |= DWT_CTRL_CYCCNTENA;
}

static void usart3_init(void) {
  uint32_t spin;
  RCC_AHB4ENR |= RCC_AHB4ENR_GPIODEN;
  RCC_APB1LENR |= RCC_APB1LENR_USART3EN;
  (void)RCC_APB1LENR; /* read back: the enables take effect before the first access */

  /* PD8 = USART3_TX, PD9 = USART3_RX: alternate function 7, medium speed, pull-up on RX. */
  GPIOD_AFRH = (GPIOD_AFRH & ~0xFFu) | (7u << 0) | (7u << 4);
  GPIOD_OSPEEDR = (GPIOD_OSPEEDR & ~(0xFu << 16)) | (1u << 16) | (1u << 18);
  GPIOD_PUPDR = (GPIOD_PUPDR & ~(0xFu << 16)) | (1u << 18);
  GPIOD_MODER = (GPIOD_MODER & ~(0xFu << 16)) | (2u << 16) | (2u << 18);

  /* 8N1, oversampling by 16, FIFO mode; BRR = 64 MHz / 115200 = 556 (0.08 % fast). */
  USART3_CR1 = 0;
  USART3_CR2 = 0;
  USART3_CR3 = 0;
  USART3_PRESC = 0;
  USART3_BRR = (LF_PCLK1_HZ + LF_UART_BAUD / 2) / LF_UART_BAUD;
  USART3_CR1 = USART_CR1_FIFOEN;
  USART3_CR1 = USART_CR1_FIFOEN | USART_CR1_TE | USART_CR1_RE | USART_CR1_UE;
  for (spin = 0; spin < LF_SPIN_LIMIT &&
                 (USART3_ISR & (USART_ISR_TEACK | USART_ISR_REACK)) !=
                     (USART_ISR_TEACK | USART_ISR_REACK);
       ++spin) {
  }
  USART3_ICR = USART_ICR_PECF | USART_ICR_FECF | USART_ICR_NECF | USART_ICR_ORECF;
  /* RXNE (RXFNE) only wakes the WFI in lf_board_read; PRIMASK keeps it from being taken. */
  USART3_CR1 |= USART_CR1_RXNEIE;
  lf_irq_mask();
  LF_NVIC_ICPR(USART3_IRQ / 32u) = 1u << (USART3_IRQ % 32u);
  LF_NVIC_ISER(USART3_IRQ / 32u) = 1u << (USART3_IRQ % 32u);
}

void lf_board_init(void) {
  supply_init();
#ifndef LF_STM32H7_NO_CACHE
  caches_init();
#endif
  cycle_counter_init();
  usart3_init();
}

/* Clears overrun and per-byte error flags so the receiver never wedges (the byte is kept). */
static uint32_t rx_status(void) {
  const uint32_t errors = USART_ISR_PE | USART_ISR_FE | USART_ISR_NE | USART_ISR_ORE;
  uint32_t isr = USART3_ISR;
  if (isr & errors)
    USART3_ICR = USART_ICR_PECF | USART_ICR_FECF | USART_ICR_NECF | USART_ICR_ORECF;
  return isr;
}

size_t lf_board_read(uint8_t *buf, size_t cap) {
  size_t n = 0;
  if (buf == NULL || cap == 0) return 0;
  /* Sleep until the first byte (see lf_wait_for_interrupt): no busy polling while idle. RXNE
     is a level that reading RDR clears; only the NVIC's latched pending bit needs clearing. */
  while ((rx_status() & USART_ISR_RXNE) == 0) {
    lf_wait_for_interrupt();
    LF_NVIC_ICPR(USART3_IRQ / 32u) = 1u << (USART3_IRQ % 32u);
  }
  do {
    buf[n++] = (uint8_t)USART3_RDR;
  } while (n < cap && (rx_status() & USART_ISR_RXNE) != 0);
  return n;
}

bool lf_board_write(const uint8_t *buf, size_t len) {
  size_t i;
  uint32_t spin;
  if (buf == NULL && len != 0) return false;
  for (i = 0; i < len; ++i) {
    /* At 115200 baud one byte leaves in ~87 us: a transmitter stuck for 30 ms is broken. */
    for (spin = 0; spin < LF_SPIN_LIMIT && (USART3_ISR & USART_ISR_TXE) == 0; ++spin) {
    }
    if ((USART3_ISR & USART_ISR_TXE) == 0) return false;
    USART3_TDR = buf[i];
  }
  return true;
}

uint32_t lf_board_cycles(void) { return DWT_CYCCNT; }

uint32_t lf_board_cycle_hz(void) { return LF_CORE_HZ; }

const char *lf_board_name(void) { return "stm32h743"; }

/* The 96-bit UID as 24 upper-case hex digits: the words at 0x1FF1E800, +4, +8, in that order. */
void lf_board_id(char *out, size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t i = 0;
  unsigned w;
  if (out == NULL || cap == 0) return;
  for (w = 0; w < 3; ++w) {
    uint32_t word = H7_REG(UID_BASE + 4u * w);
    int shift;
    for (shift = 28; shift >= 0 && i + 1 < cap; shift -= 4) out[i++] = hex[(word >> shift) & 0xFu];
  }
  out[i] = '\0';
}

void lf_board_reset(void) {
  uint32_t spin;
  /* The `reset` answer must leave the wire first: wait for TC (TX FIFO and shifter empty). */
  for (spin = 0; spin < LF_SPIN_LIMIT && (USART3_ISR & USART_ISR_TC) == 0; ++spin) {
  }
  __asm__ volatile("dsb 0xF" ::: "memory");
  SCB_AIRCR = SCB_AIRCR_VECTKEY | (SCB_AIRCR & SCB_AIRCR_PRIGROUP_MASK) | SCB_AIRCR_SYSRESETREQ;
  __asm__ volatile("dsb 0xF" ::: "memory");
  for (;;) {
  }
}

/* The board's own reset button restarts the chip; nothing is ever pending here. */
bool lf_board_reset_pressed(void) { return false; }
