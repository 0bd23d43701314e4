/*
 * The few STM32H743 / Cortex-M7 registers the stm32h7 board uses, written out by hand (no
 * vendor headers). Sources: RM0433 (STM32H742/743/750/753 reference manual) and the ARMv7-M
 * Architecture Reference Manual; each block names its chapter.
 */
#ifndef STM32H7_REGS_H
#define STM32H7_REGS_H

#include <stdint.h>

#define H7_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* RM0433 "Power control (PWR)": supply configuration (CR3) and its ready flag (CSR1). */
#define PWR_BASE 0x58024800u
#define PWR_CSR1 H7_REG(PWR_BASE + 0x04u)
#define PWR_CR3 H7_REG(PWR_BASE + 0x0Cu)
#define PWR_CR3_BYPASS (1u << 0)
#define PWR_CR3_LDOEN (1u << 1)
#define PWR_CR3_SCUEN (1u << 2) /* supply config still writable (once after power-on) */
#define PWR_CSR1_ACTVOSRDY (1u << 13)

/* RM0433 "Reset and clock control (RCC)": peripheral clock enables (CPU1 view). */
#define RCC_BASE 0x58024400u
#define RCC_AHB4ENR H7_REG(RCC_BASE + 0x0E0u)
#define RCC_APB1LENR H7_REG(RCC_BASE + 0x0E8u)
#define RCC_AHB4ENR_GPIODEN (1u << 3)
#define RCC_APB1LENR_USART3EN (1u << 18)

/* RM0433 "General-purpose I/Os (GPIO)": port D. */
#define GPIOD_BASE 0x58020C00u
#define GPIOD_MODER H7_REG(GPIOD_BASE + 0x00u)   /* 2 bits/pin: 10 = alternate function */
#define GPIOD_OSPEEDR H7_REG(GPIOD_BASE + 0x08u) /* 2 bits/pin: 01 = medium speed */
#define GPIOD_PUPDR H7_REG(GPIOD_BASE + 0x0Cu)   /* 2 bits/pin: 01 = pull-up */
#define GPIOD_AFRH H7_REG(GPIOD_BASE + 0x24u)    /* 4 bits/pin for pins 8..15 */

/* RM0433 "Universal synchronous/asynchronous receiver transmitter (USART/UART)": USART3. */
#define USART3_BASE 0x40004800u
#define USART3_CR1 H7_REG(USART3_BASE + 0x00u)
#define USART3_CR2 H7_REG(USART3_BASE + 0x04u)
#define USART3_CR3 H7_REG(USART3_BASE + 0x08u)
#define USART3_BRR H7_REG(USART3_BASE + 0x0Cu)
#define USART3_ISR H7_REG(USART3_BASE + 0x1Cu)
#define USART3_ICR H7_REG(USART3_BASE + 0x20u)
#define USART3_RDR H7_REG(USART3_BASE + 0x24u)
#define USART3_TDR H7_REG(USART3_BASE + 0x28u)
#define USART3_PRESC H7_REG(USART3_BASE + 0x2Cu)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_FIFOEN (1u << 29) /* 16-byte FIFOs; only writable while UE = 0 */
#define USART_CR1_RXNEIE (1u << 5)  /* RXFNEIE in FIFO mode */
/* RM0433 table "NVIC": USART3 global interrupt is position 39. */
#define USART3_IRQ 39u
#define USART_ISR_PE (1u << 0)
#define USART_ISR_FE (1u << 1)
#define USART_ISR_NE (1u << 2)
#define USART_ISR_ORE (1u << 3)
#define USART_ISR_RXNE (1u << 5) /* RXFNE in FIFO mode: RX FIFO not empty */
#define USART_ISR_TC (1u << 6)
#define USART_ISR_TXE (1u << 7) /* TXFNF in FIFO mode: TX FIFO not full */
#define USART_ISR_TEACK (1u << 21)
#define USART_ISR_REACK (1u << 22)
#define USART_ICR_PECF (1u << 0)
#define USART_ICR_FECF (1u << 1)
#define USART_ICR_NECF (1u << 2)
#define USART_ICR_ORECF (1u << 3)

/* RM0433 "Device electronic signature": 96-bit unique device ID. */
#define UID_BASE 0x1FF1E800u

/* ARMv7-M ARM C1.6.5 (DEMCR) and C1.8 (DWT), CoreSight lock access register (DWT_LAR). */
#define DEMCR H7_REG(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL H7_REG(0xE0001000u)
#define DWT_CYCCNT H7_REG(0xE0001004u)
#define DWT_LAR H7_REG(0xE0001FB0u)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_LAR_KEY 0xC5ACCE55u

/* ARMv7-M ARM B3.2 System Control Block, and the Cortex-M7 cache maintenance registers. */
#define SCB_AIRCR H7_REG(0xE000ED0Cu)
#define SCB_CCR H7_REG(0xE000ED14u)
#define SCB_CCSIDR H7_REG(0xE000ED80u)
#define SCB_CSSELR H7_REG(0xE000ED84u)
#define SCB_ICIALLU H7_REG(0xE000EF50u)
#define SCB_DCISW H7_REG(0xE000EF60u)
#define SCB_AIRCR_VECTKEY (0x05FAu << 16)
#define SCB_AIRCR_PRIGROUP_MASK (7u << 8)
#define SCB_AIRCR_SYSRESETREQ (1u << 2)
#define SCB_CCR_DC (1u << 16)
#define SCB_CCR_IC (1u << 17)

#endif /* STM32H7_REGS_H */
