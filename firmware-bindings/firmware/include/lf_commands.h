/*
 * The command handlers of docs/serial-protocol.md ("Commands"), one per message type, behind
 * a dispatcher that answers every well-formed frame exactly once.
 */
#ifndef LF_COMMANDS_H
#define LF_COMMANDS_H

#include <stdbool.h>

#include "lf_device.h"
#include "lf_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Acts on one frame that passed lf_proto_decode and sends its answer or error. Returns true
 * when the frame was `reset` and lf_board_reset() returned: the caller must then re-initialise
 * the device as a reboot would.
 */
bool lf_commands_handle(lf_device *d, const lf_frame *f);

#ifdef __cplusplus
}
#endif

#endif /* LF_COMMANDS_H */
