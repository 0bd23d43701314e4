/*
 * The host board: the portable firmware serving a pseudo-terminal, so the agent's serial code
 * can be exercised without hardware. `lf-board [--id ID] [--link PATH]` prints one line
 * "lf-board: port /dev/pts/N" and serves until SIGTERM/SIGINT. With --link, PATH is also made a
 * symlink to the port (like socat's link=): a board started again with the same PATH is the
 * same board "plugged back in", whatever pty number it got.
 *
 * The board holds the pty's slave side open itself, in raw mode: raw so that nothing is echoed
 * back into the board or translated (CR/LF, ^C), held so that the master never sees EIO/HUP
 * when the user's program closes the port and opens it again.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#define _DEFAULT_SOURCE   /* cfmakeraw */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lf_board.h"
#include "lf_firmware.h"

static int master_fd = -1;
static int slave_fd = -1;
static char board_id[64];
static const char *link_path;
static volatile sig_atomic_t stopping;
static volatile sig_atomic_t reset_button;

/* How long a full pty buffer may stay full before its unread bytes are discarded. */
#define STALLED_WRITE_MS 2000

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

/* SIGUSR1 is the host board's reset button (rigs press it mid-frame). */
static void on_reset_button(int sig) {
  (void)sig;
  reset_button = 1;
}

bool lf_board_reset_pressed(void) {
  if (!reset_button) return false;
  reset_button = 0;
  return true;
}

static _Noreturn void die(const char *what) {
  fprintf(stderr, "lf-board: %s: %s\n", what, strerror(errno));
  exit(1);
}

void lf_board_init(void) {
  master_fd = posix_openpt(O_RDWR | O_NOCTTY);
  if (master_fd < 0) die("posix_openpt");
  if (grantpt(master_fd) != 0) die("grantpt");
  if (unlockpt(master_fd) != 0) die("unlockpt");
  const char *name = ptsname(master_fd);
  if (name == NULL) die("ptsname");
  slave_fd = open(name, O_RDWR | O_NOCTTY);
  if (slave_fd < 0) die("open slave");
  struct termios t;
  if (tcgetattr(slave_fd, &t) != 0) die("tcgetattr");
  cfmakeraw(&t);
  if (tcsetattr(slave_fd, TCSANOW, &t) != 0) die("tcsetattr");
  /* Non-blocking writes, so a reader that went away cannot wedge the board (see write). */
  int flags = fcntl(master_fd, F_GETFL);
  if (flags < 0 || fcntl(master_fd, F_SETFL, flags | O_NONBLOCK) != 0) die("fcntl");
  if (link_path != NULL) {
    if (unlink(link_path) != 0 && errno != ENOENT) die("unlink --link");
    if (symlink(name, link_path) != 0) die("symlink --link");
  }
  printf("lf-board: port %s\n", name);
  if (fflush(stdout) != 0) die("stdout");
}

size_t lf_board_read(uint8_t *buf, size_t cap) {
  while (!stopping) {
    if (reset_button) return 0;
    struct pollfd p = { master_fd, POLLIN, 0 };
    /* A timeout rather than blocking forever: a signal landing just before poll is noticed. */
    int r = poll(&p, 1, 200);
    if (r < 0) {
      if (errno == EINTR) continue;
      return 0;
    }
    if (r == 0) continue;
    if (p.revents & (POLLERR | POLLNVAL)) return 0;
    ssize_t n = read(master_fd, buf, cap);
    if (n > 0) return (size_t)n;
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    /* EOF or EIO on the master: cannot happen while we hold the slave, so the pty is gone. */
    return 0;
  }
  return 0;
}

bool lf_board_write(const uint8_t *buf, size_t len) {
  size_t done = 0;
  int waited_ms = 0;
  while (done < len && !stopping) {
    ssize_t n = write(master_fd, buf + done, len - done);
    if (n > 0) {
      done += (size_t)n;
      waited_ms = 0;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    /*
     * The pty buffer is full: nobody is reading the port. A UART with no listener loses what
     * it sends, so after a while the unread bytes are dropped rather than blocking the board
     * (and a program that opens the port later does not get a backlog of stale answers).
     */
    if (waited_ms >= STALLED_WRITE_MS) {
      tcflush(slave_fd, TCIFLUSH);
      waited_ms = 0;
      continue;
    }
    struct pollfd p = { master_fd, POLLOUT, 0 };
    if (poll(&p, 1, 50) <= 0) waited_ms += 50;
  }
  return done == len;
}

uint32_t lf_board_cycles(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return (uint32_t)ns;
}

uint32_t lf_board_cycle_hz(void) { return 1000000000u; }

const char *lf_board_name(void) { return "host"; }

void lf_board_id(char *out, size_t cap) {
  if (out == NULL || cap == 0) return;
  snprintf(out, cap, "%s", board_id);
}

/* A process cannot restart itself usefully; the core clears its state as a reboot would. */
void lf_board_reset(void) {}

int main(int argc, char **argv) {
  snprintf(board_id, sizeof board_id, "host-%ld", (long)getpid());
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--id") == 0 && i + 1 < argc && argv[i + 1][0] != '\0' && strlen(argv[i + 1]) < sizeof board_id) {
      snprintf(board_id, sizeof board_id, "%s", argv[++i]);
    } else if (strcmp(argv[i], "--link") == 0 && i + 1 < argc && argv[i + 1][0] != '\0') {
      link_path = argv[++i];
    } else {
      fprintf(stderr, "usage: lf-board [--id ID] [--link PATH]   (ID: 1..%u characters)\n", (unsigned)(sizeof board_id - 1));
      return 2;
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) die("sigaction");
  sa.sa_handler = on_reset_button;
  if (sigaction(SIGUSR1, &sa, NULL) != 0) die("sigaction");
  signal(SIGPIPE, SIG_IGN);
  lf_board_init();
  lf_firmware_run();
  if (link_path != NULL) unlink(link_path);
  close(slave_fd);
  close(master_fd);
  return 0;
}
