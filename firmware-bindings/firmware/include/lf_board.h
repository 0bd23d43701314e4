/*
 * Board support interface: everything the portable firmware needs from a target, and nothing
 * more. Three implementations: host (a process serving a pseudo-terminal), qemu (Cortex-M7 on
 * QEMU's mps2-an500, CMSDK UART0) and stm32h7 (STM32H743, USART3 = NUCLEO-H743ZI's ST-LINK
 * virtual COM port).
 *
 * The portable core (lf_firmware.c) calls lf_board_init() once, then loops on lf_board_read().
 */
#ifndef LF_BOARD_H
#define LF_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Clocks, the serial port and the cycle counter. Called once before anything else. */
void lf_board_init(void);

/*
 * Blocks until at least one byte has arrived on the serial link, then returns how many bytes
 * (1..cap) were stored in buf. Returns 0 when the reset button was pressed (see below) or when
 * the link is gone for good (host: the terminal closed); in the second case the core returns
 * from lf_firmware_run().
 */
size_t lf_board_read(uint8_t *buf, size_t cap);

/*
 * True once per press of a reset button the board cannot act on by itself (the host board's
 * SIGUSR1); the core then restarts exactly as after `reset`, dropping any frame half received.
 * A microcontroller's real reset button restarts the chip instead, so there this is false.
 */
bool lf_board_reset_pressed(void);

/* Writes all len bytes to the serial link, blocking until they are queued. False when they
   could not all be (the link failed, or a bounded wait for the transmitter ran out). */
bool lf_board_write(const uint8_t *buf, size_t len);

/* A free-running 32-bit cycle counter (DWT CYCCNT on a Cortex-M7) and its rate in Hz. */
uint32_t lf_board_cycles(void);
uint32_t lf_board_cycle_hz(void);

/* Short target name reported by `info`: "host", "qemu-mps2-an500" or "stm32h743". */
const char *lf_board_name(void);

/*
 * A NUL-terminated identifier unique to this board (the STM32's 96-bit UID in hex; the host
 * board's --id). Written into out, at most cap bytes including the NUL.
 */
void lf_board_id(char *out, size_t cap);

/*
 * Restarts the board after the `reset` answer has been written out: a system reset on a
 * microcontroller. A target that cannot restart itself (host) returns, and the core
 * re-initialises its own state as a reboot would.
 */
void lf_board_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* LF_BOARD_H */
