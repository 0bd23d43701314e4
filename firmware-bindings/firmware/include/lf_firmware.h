/*
 * The portable firmware: serial framing, the command handlers and the layer arena, on top of
 * lf_board.h. A board's main() is lf_board_init(); lf_firmware_run();
 */
#ifndef LF_FIRMWARE_H
#define LF_FIRMWARE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Version text reported by `info`. */
#define LF_FIRMWARE_VERSION "0.1.0"

/* Serves the serial protocol (docs/serial-protocol.md) until lf_board_read() returns 0. */
void lf_firmware_run(void);

#ifdef __cplusplus
}
#endif

#endif /* LF_FIRMWARE_H */
