"""The other process of a trace (OtherProcess.cs starts it): it owns buffers in its own memory and
issues ioctls on fds it shares with its parent, so a MAP it makes takes its pages from its mm.
One command per stdin line, one answer per stdout line:
  alloc LEN          -> "ok ADDR"   anonymous private memory, zero filled, ADDR 2 MiB aligned
  write ADDR HEX     -> "ok"
  read ADDR LEN      -> "ok HEX"
  ioctl FD REQ ADDR  -> "ok RC ERRNO"  ioctl(2) on the parent's fd FD (duplicated with pidfd_getfd,
                                      so the same open file), argument at ADDR in this process
  exit               -> exits at once (status 0); the parent waits for it
Argument: the parent's pid."""
import ctypes, mmap, os, sys

HUGE = 2 << 20
SYS_PIDFD_GETFD = 438  # the same number on x86_64 and aarch64
libc = ctypes.CDLL(None, use_errno=True)
libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p]
libc.syscall.restype = ctypes.c_long
parent = int(sys.argv[1])
pidfd = os.pidfd_open(parent)
fds = {}      # parent's fd -> our duplicate
buffers = []  # keeps every mapping alive until exit


def shared_fd(number):
    if number not in fds:
        fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, number, 0)
        if fd < 0:
            return -ctypes.get_errno()
        fds[number] = fd
    return fds[number]


def main():
    out = sys.stdout
    out.write(f"ready {os.getpid()}\n")
    out.flush()
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        if cmd == "exit":
            os._exit(0)
        elif cmd == "alloc":
            length = int(words[1])
            m = mmap.mmap(-1, length + HUGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                          prot=mmap.PROT_READ | mmap.PROT_WRITE)
            buffers.append(m)
            start = ctypes.addressof(ctypes.c_char.from_buffer(m))
            answer = f"ok {(start + HUGE - 1) & ~(HUGE - 1)}"
        elif cmd == "write":
            data = bytes.fromhex(words[2]) if len(words) > 2 else b""
            ctypes.memmove(int(words[1]), data, len(data))
            answer = "ok"
        elif cmd == "read":
            answer = "ok " + ctypes.string_at(int(words[1]), int(words[2])).hex()
        elif cmd == "ioctl":
            fd = shared_fd(int(words[1]))
            if fd < 0:
                answer = f"ok -1 {-fd}"
            else:
                rc = libc.ioctl(fd, int(words[2]), int(words[3]))
                answer = f"ok {rc} {ctypes.get_errno() if rc < 0 else 0}"
        else:
            answer = f"error unknown command {cmd}"
        out.write(answer + "\n")
        out.flush()


main()
