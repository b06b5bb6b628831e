"""Reading a small table a person uploads (a bank's return file, evaluators' findings): xlsx or CSV, the cells as
text. An xlsx goes through the caller's hostile-file check first (the archive import's, passed in, since this layer
imports no app); a CSV may be UTF-8 (with or without BOM) or GBK, as Excel in China saves it."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ValidationError


class TableRefused(ValidationError):
    """The file as a whole cannot be read (not a table, too large, not text)."""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(path: Path, filename: str, *, max_rows: int, max_bytes: int,
               check_xlsx: Callable[[Path, str], None] | None = None) -> list[list[str]]:
    """The first sheet's (or the CSV's) rows as text cells, at most ``max_rows + 2`` of them."""
    if path.stat().st_size > max_bytes:
        raise TableRefused(f"文件超过 {max_bytes // 2**20} MB")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        from python_calamine import CalamineWorkbook

        if check_xlsx is not None:
            check_xlsx(path, filename)
        try:
            book = CalamineWorkbook.from_path(str(path))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=True)
        except BaseException as exc:  # a Rust panic on a strange cell is a BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise TableRefused("无法读取这个 xlsx 文件，请用原文件或另存为 CSV") from None
        return [[_cell(v) for v in r] for r in rows[: max_rows + 2]]
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            body = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableRefused("文件不是 xlsx，也不是 UTF-8 或 GBK 编码的 CSV")
    if "\x00" in body:
        raise TableRefused("文件不是 xlsx，也不是文本格式的 CSV")
    return [[c.strip() for c in r] for r in csv.reader(io.StringIO(body))][: max_rows + 2]


def header_index(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Where each named column is (its first matching header, spaces ignored)."""
    clean = [h.replace(" ", "").replace("\u3000", "") for h in header]
    where = {}
    for key, names in columns.items():
        found = [i for i, h in enumerate(clean) if h in names]
        if found:
            where[key] = found[0]
    return where


def refusal_detail(errors: list) -> str:
    """The API's ``detail`` of a file refused line by line (every API error carries one, see warmth.api)."""
    return f"文件有 {len(errors)} 处问题，未写入任何数据" if errors else ""


@contextmanager
def upload_on_disk(upload) -> Iterator[Path]:
    """An uploaded file written to a private temporary folder for the reader, removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix="warmth-upload-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        yield path
