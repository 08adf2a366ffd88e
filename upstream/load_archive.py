"""Loads one archive with Python PyTorch, nothing of this project: the
Python reproducer of the findings where an archive makes LibTorch itself
crash or exhaust memory (FINDINGS.md F15-F18), for PyTorch's maintainers.

    PYTHON load_archive.py FILE [--skip N]

FILE is read into memory (its first N bytes skipped: 1 for the
archive_fuzzer's reproducers, whose byte 0 holds the fuzzer's flags) and
loaded from an io.BytesIO twice: torch.jit.load (the TorchScript import the
C++ loaders use) and torch.load(..., weights_only=True) (the loader Python
users are told is safe for untrusted files), each in a child process. For
each it prints one line, "<api>: <outcome>", the outcome being "returned",
"error: <message>", "memory_blowup" (an allocation refused: the process may
map 2 GiB beyond what it maps once torch is imported, so a stated size of
gigabytes is refused alike on any machine) or "killed by SIG<NAME>" (run
the load alone under gdb for the native stack). Exit status 0; 2 on a bad
command line.
"""

import io
import os
import resource
import signal
import sys

import torch

ALLOCATION_ROOM = 2 << 30


def mapped_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) << 10
    return 0


def report(api, load):
    """Runs `load` in a child and prints how it ended."""
    pid = os.fork()
    if pid == 0:
        try:
            load()
            outcome = "returned"
        except MemoryError:
            outcome = "memory_blowup"
        except Exception as e:  # The reproducer reports every error as one line.
            lines = [l for l in str(e).splitlines() if l.strip()]
            message = lines[0] if lines else type(e).__name__
            outcome = "memory_blowup" if "can't allocate memory" in str(e) else f"error: {message}"
        print(f"{api}: {outcome}", flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        print(f"{api}: killed by {signal.Signals(os.WTERMSIG(status)).name}", flush=True)


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--skip"):
        print("usage: load_archive.py FILE [--skip N]", file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()[int(argv[3]) if len(argv) == 4 else 0:]
    limit = mapped_bytes() + ALLOCATION_ROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    report("torch.jit.load", lambda: torch.jit.load(io.BytesIO(data)))
    report("torch.load(weights_only=True)",
           lambda: torch.load(io.BytesIO(data), weights_only=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
