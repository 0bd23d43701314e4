/*
 * The in-memory board (an lf_board.h implementation for the C tests): no pty, no timing. Reads
 * come from `mem_script` in random-sized pieces, as from a serial port; writes go to `mem_sent`.
 * lf_firmware_run() returns once the script is used up, so one script is one session.
 */
#ifndef MEM_BOARD_H
#define MEM_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Room for a whole fuzz session: 20 000 frames of up to 1 300 bytes each way. */
#define MEM_BOARD_BYTES (1u << 25)

extern uint8_t mem_script[MEM_BOARD_BYTES];
extern size_t mem_script_len;
extern uint8_t mem_sent[MEM_BOARD_BYTES];
extern size_t mem_sent_len;

/* Empties the script and what was sent, for the next session. */
void mem_board_rewind(void);

#endif /* MEM_BOARD_H */
