"""Regenerate ``warmth/core/data/regions.tsv``, the snapshot of 中华人民共和国行政区划代码.

The source is python-stdnum's ``stdnum/cn/loc.dat`` (a dev dependency of this project), which its
author downloads from the zh.wikipedia pages 中华人民共和国行政区划代码 (1区)…(8区). Its format::

    # Downloaded from            <- header comments (the Wikipedia pages)
    11 province="北京市"          <- two-digit province prefix
      0000 county="北京市"        <- the last four digits of a six-digit code
      0103 county="[-2010]崇文区" <- [start-end]: the years the name was in use (either end may be open)
      0110 county="[-1991]东郊区,[1992-]东丽区"  <- several names over time, comma-separated

The snapshot keeps every historical entry: one row per (code, name, start_year, end_year), in the
order of the source (chronological within a code). Names are written exactly as the source has them
(a few ranges are odd, e.g. ``[1983-1982]`` for names that ended when the code system was reorganised;
they are kept verbatim).

Usage::

    uv run python scripts/build_regions.py [--output PATH] [--snapshot-date YYYY-MM-DD]

The snapshot date defaults to the upload date of the installed python-stdnum release as recorded in
``uv.lock`` (the wheel's ``upload-time``); pass ``--snapshot-date`` when that is not available.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.metadata
import importlib.resources
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "warmth" / "core" / "data" / "regions.tsv"
LOCKFILE = ROOT / "uv.lock"
SOURCE_FILE = "stdnum/cn/loc.dat"
COLUMNS = ("code", "name", "province", "prefecture", "start_year", "end_year")
LICENSE_NOTE = (
    "python-stdnum is LGPL-2.1-or-later (https://arthurdejong.org/python-stdnum/); "
    "the region data itself comes from zh.wikipedia.org and is licensed CC BY-SA 4.0 "
    "(attribution: the Wikipedia pages listed in source_header)"
)

_PROVINCE_RE = re.compile(r'^(?P<prefix>\d{2}) province="(?P<name>[^"]*)"$')
_COUNTY_RE = re.compile(r'^  (?P<suffix>\d{4}) county="(?P<names>[^"]*)"$')
_NAME_RE = re.compile(r"^(?:\[(?P<start>\d{4})?-(?P<end>\d{4})?\])?(?P<name>[^\[\],]+)$")


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    start_year: int | None
    end_year: int | None


def source_path() -> Path:
    path = importlib.resources.files("stdnum").joinpath("cn", "loc.dat")
    return Path(str(path))


def parse_loc_dat(text: str) -> tuple[list[str], dict[str, str], list[Entry]]:
    """Return (header comment lines, province line names by prefix, entries in source order)."""
    header: list[str] = []
    provinces: dict[str, str] = {}
    entries: list[Entry] = []
    prefix: str | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("#"):
            if not entries and prefix is None:
                header.append(line.lstrip("#").strip())
            continue
        if m := _PROVINCE_RE.match(line):
            prefix = m["prefix"]
            provinces[prefix] = m["name"]
            continue
        m = _COUNTY_RE.match(line)
        if m is None or prefix is None:
            raise ValueError(f"{SOURCE_FILE}:{lineno}: unrecognised line {raw!r}")
        code = prefix + m["suffix"]
        for alternative in m["names"].split(","):
            nm = _NAME_RE.match(alternative.strip())
            if nm is None:
                raise ValueError(f"{SOURCE_FILE}:{lineno}: unrecognised name {alternative!r}")
            entries.append(
                Entry(
                    code=code,
                    name=nm["name"].strip(),
                    start_year=int(nm["start"]) if nm["start"] else None,
                    end_year=int(nm["end"]) if nm["end"] else None,
                )
            )
    if not entries:
        raise ValueError(f"{SOURCE_FILE}: no entries found")
    return header, provinces, entries


def _span(entry: Entry, first: int, last: int) -> tuple[int, int]:
    return (entry.start_year or first, entry.end_year or last)


def pick_parent(entry: Entry, candidates: list[Entry], first: int, last: int) -> Entry | None:
    """The parent entry whose years overlap the entry's years most (ties: the later one).

    Falls back to the latest parent entry (the current one, if any) when none overlaps.
    """
    if not candidates:
        return None
    start, end = _span(entry, first, last)
    best: tuple[int, int] | None = None
    chosen: Entry | None = None
    for index, candidate in enumerate(candidates):
        c_start, c_end = _span(candidate, first, last)
        overlap = min(end, c_end) - max(start, c_start) + 1
        if overlap <= 0:
            continue
        key = (overlap, index)
        if best is None or key > best:
            best, chosen = key, candidate
    if chosen is not None:
        return chosen
    current = [c for c in candidates if c.end_year is None]
    if current:
        return current[-1]
    return max(candidates, key=lambda c: c.end_year or 0)


def build_rows(provinces: dict[str, str], entries: list[Entry], last_year: int) -> list[dict[str, str]]:
    first_year = min(
        [e.start_year for e in entries if e.start_year] + [e.end_year for e in entries if e.end_year]
    )
    by_code: dict[str, list[Entry]] = {}
    for entry in entries:
        by_code.setdefault(entry.code, []).append(entry)
    rows = []
    for entry in entries:
        code = entry.code
        province_entry = pick_parent(entry, by_code.get(code[:2] + "0000", []), first_year, last_year)
        province = province_entry.name if province_entry else provinces[code[:2]]
        prefecture = ""
        if not code.endswith("0000"):
            parent = pick_parent(entry, by_code.get(code[:4] + "00", []), first_year, last_year)
            prefecture = parent.name if parent else ""
        rows.append(
            {
                "code": code,
                "name": entry.name,
                "province": province,
                "prefecture": prefecture,
                "start_year": "" if entry.start_year is None else str(entry.start_year),
                "end_year": "" if entry.end_year is None else str(entry.end_year),
            }
        )
    return rows


def snapshot_date_from_lock(version: str) -> str | None:
    """The upload date of the installed python-stdnum wheel (or sdist), as recorded in uv.lock."""
    if not LOCKFILE.exists():
        return None
    lock = tomllib.loads(LOCKFILE.read_text(encoding="utf-8"))
    for package in lock.get("package", []):
        if package.get("name") == "python-stdnum" and package.get("version") == version:
            for dist in [*package.get("wheels", []), package.get("sdist") or {}]:
                if uploaded := dist.get("upload-time"):
                    return str(uploaded)[:10]
    return None


def write_tsv(path: Path, comments: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        for comment in comments:
            fh.write(f"# {comment}\n")
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--snapshot-date", help="YYYY-MM-DD; default: python-stdnum's upload date in uv.lock")
    args = parser.parse_args(argv)

    version = importlib.metadata.version("python-stdnum")
    snapshot_date = args.snapshot_date or snapshot_date_from_lock(version)
    if snapshot_date is None:
        parser.error(f"cannot find python-stdnum {version} in {LOCKFILE}; pass --snapshot-date")
    dt.date.fromisoformat(snapshot_date)  # validate
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()

    header, provinces, entries = parse_loc_dat(source_path().read_text(encoding="utf-8"))
    rows = build_rows(provinces, entries, last_year=today.year)

    comments = [
        "中华人民共和国行政区划代码 snapshot; generated by scripts/build_regions.py, do not edit by hand",
        f"source: python-stdnum {version}, file {SOURCE_FILE}",
        f"source_header: {' '.join(header)}",
        f"snapshot_date: {snapshot_date} (python-stdnum {version} release, upload time in uv.lock)",
        f"generated: {today.isoformat()}",
        f"license: {LICENSE_NOTE}",
        "columns: start_year/end_year are the years a name was in use (blank: open); "
        "one row per historical name",
    ]
    write_tsv(args.output, comments, rows)
    codes = {row["code"] for row in rows}
    print(f"wrote {len(rows)} rows for {len(codes)} codes to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
