"""Controllable slow job kinds for the worker tests: the job advances its progress every 0.1 s for as long as the
file named in its params (``hold``) exists, then finishes. Imported by the test and by the worker subprocess."""

import time
from pathlib import Path

from warmth.jobs.registry import register


def _slow(job, progress):
    hold = Path(job.params["hold"])
    progress.start(100, "慢任务")
    done, deadline = 0, time.monotonic() + 120
    while hold.exists() and time.monotonic() < deadline:
        done = min(done + 1, 99)
        progress.advance(done, force=True)
        time.sleep(0.1)
    progress.advance(100, force=True)
    job.result = {"finished_by_attempt": job.attempts}
    job.save(update_fields=["result"])


register("test.slow")(_slow)
register("test.slow_rerun", rerun=True)(_slow)
