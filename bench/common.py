"""What every benchmark shares: runs timed three times (median and spread), the machine and its load average,
peak memory of a child process (its own high-water mark), and one JSON record per bench that ``bench/results.py``
turns into the table at the top of bench/RESULTS.md.

A bench times what users run (from the query or the file to the result on disk) against a floor measured in the
same run on the same data: the least work that gives the same result (the same rows read, the same rows written
into the same indexed tables, the same file). Ratios are only ever taken within one run.

    from bench.common import Bench
    bench = Bench("roster")                       # notes the load average at the start
    t = bench.time(lambda: export(...), runs=3)   # a Timing: median, spread, every run
    f = bench.time(lambda: floor(...), runs=3)
    bench.row("roster of 100,000 payments", t, floor=f, goal="≤ 1.3× floor", goal_ratio=1.3)
    bench.save()                                  # bench/results/roster.json, with machine and load average
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def loadavg() -> str:
    """The 1/5/15-minute load averages, as ``uptime`` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores {cpu}, {mem:.0f} GiB, Python {platform.python_version()}"


@dataclass
class Timing:
    """Seconds of each run; the median is the figure, the spread is (slowest − fastest) / median."""

    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread(self) -> float:
        return (max(self.runs) - min(self.runs)) / self.median if self.median else 0.0

    def __str__(self) -> str:
        return f"{self.median:.3f} s (±{self.spread * 50:.0f} %, runs {', '.join(f'{r:.3f}' for r in self.runs)})"


def time_runs(fn, runs: int = 3, setup=None) -> Timing:
    """Run ``setup()`` (untimed) then ``fn()`` (timed), ``runs`` times."""
    out = []
    for _ in range(runs):
        if setup is not None:
            setup()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return Timing(out)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _hwm_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def run_child(args: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run a Python child (``python args…``); return (wall seconds, its peak RSS in MB, its stdout).

    The peak is the child's own high-water mark (``VmHWM`` of /proc, read every 50 ms while it runs: a high-water
    mark only grows, so the last reading before it exits holds the peak but for its last 50 ms). ``wait4``'s
    ``ru_maxrss`` would not do: Linux carries the parent's peak across fork and exec."""
    import threading

    t = time.perf_counter()
    peak = [0]
    with subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True,
                          env={**os.environ, **(env or {})}) as proc:
        def watch():
            while proc.poll() is None:
                kb = _hwm_kb(proc.pid)
                if kb:
                    peak[0] = max(peak[0], kb)
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        out = proc.stdout.read()
        proc.wait()
        watcher.join()
    wall = time.perf_counter() - t
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, args, out)
    return wall, peak[0] / 1024, out


@dataclass
class Bench:
    """One bench's record: the rows it measured, the machine, the load average before and after."""

    name: str
    command: str = ""
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.started = datetime.now(ZoneInfo("Asia/Shanghai"))
        self.load_start = loadavg()
        self.command = self.command or "uv run python " + " ".join(["bench/" + Path(sys.argv[0]).name, *sys.argv[1:]])
        print(f"# {self.name}: {machine()}; load average at start {self.load_start}", flush=True)

    def time(self, fn, runs: int = 3, setup=None) -> Timing:
        return time_runs(fn, runs, setup)

    def row(self, what: str, timing: Timing | None = None, *, floor: Timing | None = None, floor_what: str = "",
            goal: str = "", goal_ratio: float | None = None, goal_seconds: float | None = None,
            value: str = "", extra: str = "") -> dict:
        """Record one line of the table; ``goal_ratio`` / ``goal_seconds`` make the met / not met column."""
        ratio = timing.median / floor.median if timing and floor and floor.median else None
        met = None
        if goal_ratio is not None and ratio is not None:
            met = ratio <= goal_ratio
        if goal_seconds is not None and timing is not None:
            met = (met is not False) and timing.median <= goal_seconds
        row = {
            "what": what, "goal": goal, "met": met,
            "figure": value or (f"{timing.median:.3f} s" if timing else ""),
            "spread": f"±{timing.spread * 50:.0f} %" if timing else "",
            "runs": [round(r, 4) for r in timing.runs] if timing else [],
            "floor": (f"{floor_what}: " if floor_what else "") + (f"{floor.median:.3f} s" if floor else ""),
            "floor_runs": [round(r, 4) for r in floor.runs] if floor else [],
            "ratio": f"{ratio:.2f}×" if ratio is not None else "",
            "extra": extra,
        }
        self.rows.append(row)
        print(f"{what}: {row['figure']} {row['spread']}  floor {row['floor']}  ratio {row['ratio']}  "
              f"goal {goal} {'met' if met else 'not met' if met is False else ''}  {extra}", flush=True)
        return row

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(text, flush=True)

    def save(self) -> Path:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{self.name}.json"
        record = {
            "bench": self.name, "command": self.command, "date": self.started.strftime("%Y-%m-%d %H:%M 北京时间"),
            "machine": machine(), "load_start": self.load_start, "load_end": loadavg(),
            "rows": self.rows, "notes": self.notes,
        }
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"saved {path.relative_to(Path(__file__).resolve().parent.parent)}; load average at end "
              f"{record['load_end']}", flush=True)
        return path
