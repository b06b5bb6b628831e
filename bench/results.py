"""Write the current table at the top of bench/RESULTS.md from bench/results/*.json (one file per bench, written by
``bench.common.Bench.save``). The history below the ``<!-- history -->`` line is kept as it is.

    uv run python bench/results.py
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
MARK = "<!-- history -->"

HEAD = """# Benchmark results

The current figure of every bench, newest run of each. Each row: what users run, timed from the query or the
file to the result; its floor, the least work giving the same result, measured in the same run on the same
data; the ratio of the two medians; the spread of three runs ((slowest − fastest) / median, shown as ±half of
it); the goal and whether it is met. The load average at the start and the end of each bench's run is beside
its name: on this two-core machine anything above ~0.5 at the start means other work shared the cores, and the
absolute times are then pessimistic (ratios, taken within one run, suffer less). Regenerate this table with
`uv run python bench/results.py` after running a bench; the history of earlier runs is below it.
"""


def cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(records: list[dict]) -> str:
    out = ["| bench | what | goal | figure | spread | floor | ratio | met | machine, date, load average |",
           "|---|---|---|---|---|---|---|---|---|"]
    for rec in records:
        where = f"{rec['machine']}; {rec['date']}; load {rec['load_start']} → {rec['load_end']}"
        for i, row in enumerate(rec["rows"]):
            met = {True: "met", False: "**not met**", None: ""}[row.get("met")]
            figure = row["figure"] + (f" ({row['extra']})" if row.get("extra") else "")
            out.append("| " + " | ".join(cell(c) for c in [
                f"`{rec['bench']}`" if i == 0 else "", row["what"], row.get("goal", ""), figure, row.get("spread", ""),
                row.get("floor", ""), row.get("ratio", ""), met, where if i == 0 else ""]) + " |")
    notes = []
    for rec in records:
        for n in rec.get("notes", []):
            notes.append(f"- `{rec['bench']}`: {n}")
        notes.append(f"- `{rec['bench']}` command: `{rec['command']}`")
    return "\n".join(out) + "\n\n" + "\n".join(notes) + "\n"


def main() -> int:
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((HERE / "results").glob("*.json"))]
    text = RESULTS.read_text(encoding="utf-8")
    history = text.split(MARK, 1)[1] if MARK in text else "\n\n# History\n\n" + text.split("\n", 1)[1]
    RESULTS.write_text(HEAD + "\n" + table(records) + "\n" + MARK + history, encoding="utf-8")
    print(f"{RESULTS}: {sum(len(r['rows']) for r in records)} rows from {len(records)} benches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
