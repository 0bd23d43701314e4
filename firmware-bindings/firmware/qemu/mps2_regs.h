/*
 * The few mps2-an500 / Cortex-M7 registers the qemu board uses. Sources: QEMU 7.2
 * hw/arm/mps2.c (memory map, SYSCLK), hw/char/cmsdk-apb-uart.c and hw/timer/cmsdk-apb-timer.c
 * (register models), ARM DDI0479 "Cortex-M System Design Kit TRM" (APB UART 4.3, APB timer
 * 4.4) and the ARMv7-M ARM (B3.2 System Control Block).
 */
#ifndef MPS2_REGS_H
#define MPS2_REGS_H

#include <stdint.h>

#define MPS2_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* SYSCLK of the mps2 boards: the CPU, APB peripherals and timers all run from it. */
#define MPS2_SYSCLK_HZ 25000000u

/* CMSDK APB UART0 (DDI0479 4.3), the chardev QEMU's `-serial` option feeds. */
#define UART0_BASE 0x40004000u
#define UART0_DATA MPS2_REG(UART0_BASE + 0x00u)     /* rx on read, tx on write */
#define UART0_STATE MPS2_REG(UART0_BASE + 0x04u)    /* see UART_STATE_* */
#define UART0_CTRL MPS2_REG(UART0_BASE + 0x08u)     /* see UART_CTRL_* */
#define UART0_INTSTATUS MPS2_REG(UART0_BASE + 0x0Cu)
#define UART0_BAUDDIV MPS2_REG(UART0_BASE + 0x10u) /* >= 16; baud = SYSCLK / BAUDDIV */
#define UART_STATE_TXFULL (1u << 0)
#define UART_STATE_RXFULL (1u << 1)
#define UART_STATE_TXOVR (1u << 2) /* write 1 to clear */
#define UART_STATE_RXOVR (1u << 3) /* write 1 to clear */
#define UART_CTRL_TXEN (1u << 0)
#define UART_CTRL_RXEN (1u << 1)
#define UART_CTRL_RXINTEN (1u << 3)
#define UART_INTSTATUS_RX (1u << 1) /* write 1 to clear */
/* NVIC line of UART0's RX interrupt (QEMU hw/arm/mps2.c: uartirq[] = {0, 2, 4, ...}, TX one above). */
#define UART0_RX_IRQ 0u

/* CMSDK APB timer 0 (DDI0479 4.4): a 32-bit down counter clocked by PCLK = SYSCLK. */
#define TIMER0_BASE 0x40000000u
#define TIMER0_CTRL MPS2_REG(TIMER0_BASE + 0x00u)   /* bit 0 enable, bit 3 irq enable */
#define TIMER0_VALUE MPS2_REG(TIMER0_BASE + 0x04u)  /* current count */
#define TIMER0_RELOAD MPS2_REG(TIMER0_BASE + 0x08u) /* writing it also loads VALUE */
#define TIMER_CTRL_EN (1u << 0)

/* System Control Block (ARMv7-M ARM B3.2.2 / B3.2.6): AIRCR for the system reset. */
#define SCB_AIRCR MPS2_REG(0xE000ED0Cu)
#define SCB_AIRCR_VECTKEY (0x05FAu << 16)
#define SCB_AIRCR_PRIGROUP_MASK (7u << 8)
#define SCB_AIRCR_SYSRESETREQ (1u << 2)

#endif /* MPS2_REGS_H */
