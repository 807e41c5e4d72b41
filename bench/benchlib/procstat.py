"""What the kernel says a server process costs: CPU time, resident memory, and the machine's load.

Everything is read from /proc, so measuring adds no process and almost no CPU of its own.
"""

import os
import threading

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """User + system CPU time of the processes so far (seconds); gone processes count 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                # The command name may hold spaces and parentheses: split after its last ')'.
                fields = stat.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def memory_kib(pids, field):
    """Sum of one /proc/PID/status field (VmRSS, VmHWM) over the processes, in KiB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1])
                        break
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (not idle, not iowait), summed over cores."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


class RssSampler:
    """Samples VmRSS of the processes every `interval` seconds in a thread; `peak_kib` is the most seen.

    VmHWM would be exact but it is the peak since the process started, so it cannot tell one
    cell from the next; a 100 ms sample of VmRSS can, and misses only spikes shorter than that.
    """

    def __init__(self, pids, interval=0.1):
        self.pids = list(pids)
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while True:
            self.peak_kib = max(self.peak_kib, memory_kib(self.pids, "VmRSS"))
            if self._stop.wait(self.interval):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, memory_kib(self.pids, "VmRSS"))
