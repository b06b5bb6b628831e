"""Importing 困难职工档案 from the xlsx layout of ``template.py``.

    check_file   refuse hostile files before anything parses them (zip structure, real sizes, formulas, macros)
    BookReader   (template.py) the header row found by its texts, every cell typed, problems collected; the
                 households in chunks of ``CHUNK``, each with its member rows
    _plan        per chunk: the rules across cells and rows, the file's index of the people met so far (a person
                 twice in the file), then the match with existing archives by the blind index of each ID:
                 create, update, unchanged or error
    _write       per chunk, all chunks in one transaction: updates through ``archive_update``; new drafts in
                 bulk (archive numbers in one block per chunk from ``ArchiveCounter``, rows written by COPY on
                 PostgreSQL or one executemany on SQLite, one audit row per batch); the partial unique index of
                 ``ArchivePerson`` still refuses a person live in two archives, and any database error undoes
                 the whole import

The real run is all-or-nothing unless ``valid_only``; a dry run writes nothing. The limits are module constants
(here and in ``template.py``), documented in README (导入文件的限制).
"""

from __future__ import annotations

import logging
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from warmth.archives.choices import ArchiveStatus
from warmth.archives.models import Archive, ArchiveCounter, ArchivePerson, ArchiveStep, FamilyMember
from warmth.archives.services import EDITABLE_STATUSES, HEAD_FIELDS, ArchiveInput, archive_update, conflict_message
from warmth.archives.template import (  # noqa: F401  (MAX_ROWS … re-exported: the limits live in both modules)
    CORRUPT,
    HEAD_COLUMNS,
    HEAD_SHEET,
    MAX_CELL_CHARS,
    MAX_MEMBER_ROWS,
    MAX_ROWS,
    MEMBER_SHEET,
    Book,
    BookReader,
    HeadRow,
    ImportRefused,
    member_label,
)
from warmth.audit.services import audit_record
from warmth.core import bulkcopy, idcard, pii
from warmth.core.fields import bidx
from warmth.jobs.registry import register
from warmth.jobs.services import JobInputError, job_create, job_finish
from warmth.orgs.access import Actor, org_for_actor
from warmth.orgs.models import Org
from warmth.orgs.permissions import Perm

log = logging.getLogger(__name__)

# --- limits of the file itself (README: 导入文件的限制) ------------------------------------------------
MAX_FILE_BYTES = 100 * 1024 * 1024          # the uploaded file
MAX_UNCOMPRESSED_BYTES = 800 * 1024 * 1024  # all parts together, as declared and as really inflated
MAX_COMPRESSION_RATIO = 100                 # per part above 1 MB (a 100k-household file: about 10)
MAX_ZIP_ENTRIES = 1_000
MAX_COLUMNS = 48                            # columns A … AV (the layout uses at most 42)
MAX_SHEET_ROW = 409_999                     # no cell beyond this row (MAX_MEMBER_ROWS data rows and then some)
CHUNK = 5_000                               # households read, checked and written at a time
BATCH = 2_000                               # households per insert batch and per audit row

NOT_XLSX = "文件不是 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为“Excel 工作簿(*.xlsx)”后再导入"
OLE_FILE = "这是旧版 Excel 文件（.xls）或设置了打开密码的文件，请取消密码并另存为“Excel 工作簿(*.xlsx)”后再导入"
MACRO = "文件包含宏（VBA），不予导入，请另存为不含宏的“Excel 工作簿(*.xlsx)”后再导入"
FORMULA = "文件包含公式，请粘贴为数值后再导入"
BOMB = "文件的压缩比异常（疑似“压缩炸弹”），不予导入"
ENCRYPTED = "文件已加密，请取消密码后再导入"
TOO_WIDE = f"表格超过{MAX_COLUMNS}列，请删除多余的列后再导入"
TOO_LONG = f"工作表超过{MAX_SHEET_ROW:,}行，请拆分后再导入"
RACE = ("数据库拒绝了写入（多为导入期间有人为文件中的人员建档），本次导入已全部撤销，请重新导入；"
        "反复出现请联系系统管理员")


# --- 1. hostile files ----------------------------------------------------------------------------------

_CHUNK = 1 << 20
_FIRST_TAG = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?[A-Za-z_][\w.-]*[\s>/]")


def _beyond_column(n: int) -> bytes:
    """A regex for two- or three-letter column names after column number ``n`` (27 … 701)."""
    first, second = divmod(n - 1, 26)
    parts = [b"[A-Z]{3,}", b"[%c-Z][A-Z]" % (65 + first)]
    if second < 25:
        parts.append(b"%c[%c-Z]" % (64 + first, 66 + second))
    return b"(?:" + b"|".join(parts) + b")"


# A cell reference beyond column MAX_COLUMNS or a row reference beyond MAX_SHEET_ROW (410,000 and on):
# calamine allocates the whole rectangle up to the farthest cell, so one far-away cell would cost gigabytes.
_FAR = re.compile(rb'r="(?:(?P<wide>' + _beyond_column(MAX_COLUMNS) + rb'\d)'
                  rb'|[A-Z]{0,3}(?:4[1-9]\d{4}|[5-9]\d{5}|\d{7,})")')


def check_file(path: Path, name: str = "") -> None:
    """Refuse a file that is not a plain xlsx workbook or that would cost far more to read than it looks.

    Every part is inflated here once, by our own bounded loop: a part that inflates to more than its declared
    size is a zip bomb, whatever the central directory says. The sheet parts are scanned on the way for
    formulas, for references beyond the row and column limits and for their number of rows."""
    suffix = Path(name or str(path)).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise ImportRefused(MACRO)
    if suffix == ".xls":
        raise ImportRefused(OLE_FILE)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportRefused(f"文件超过{MAX_FILE_BYTES // 2**20} MB，请拆分后再导入")
    with path.open("rb") as fh:
        magic = fh.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            raise ImportRefused(OLE_FILE)
        if not magic.startswith(b"PK\x03\x04"):
            raise ImportRefused(NOT_XLSX)
        try:
            with zipfile.ZipFile(fh) as zf:
                infos = zf.infolist()
                _check_entries(infos)
                types = zf.read("[Content_Types].xml")
            _check_content_types(types)
            for info in infos:
                _scan_part(fh, info)
        except ImportRefused:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error, KeyError, ValueError,
                NotImplementedError):
            raise ImportRefused(CORRUPT) from None


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ImportRefused(CORRUPT)
    names = {i.filename.lower() for i in infos}
    if any(n.endswith("vbaproject.bin") or n.startswith(("xl/macrosheets/", "xl/dialogsheets/")) for n in names):
        raise ImportRefused(MACRO)
    if "[content_types].xml" not in names:
        raise ImportRefused(NOT_XLSX)
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise ImportRefused(f"文件解压后超过{MAX_UNCOMPRESSED_BYTES // 2**20} MB，请拆分后再导入")
    for i in infos:
        if i.flag_bits & 0x1:
            raise ImportRefused(ENCRYPTED)
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportRefused(CORRUPT)
        if i.file_size > _CHUNK and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1):
            raise ImportRefused(BOMB)
        if i.filename == "[Content_Types].xml" and i.file_size > _CHUNK:
            raise ImportRefused(CORRUPT)


def _check_content_types(types: bytes) -> None:
    if b"macroenabled" in types.lower():
        raise ImportRefused(MACRO)
    if b"spreadsheetml.sheet.main+xml" not in types and b"spreadsheetml.template.main+xml" not in types:
        raise ImportRefused(NOT_XLSX)


def _inflate(fh, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, inflated by our own loop that never produces more than the declared size."""
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise ImportRefused(CORRUPT)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    left, produced = info.compress_size, 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    while left > 0:
        chunk = fh.read(min(left, _CHUNK))
        if not chunk:
            raise ImportRefused(CORRUPT)
        left -= len(chunk)
        while chunk:
            if inflater is None:
                out, chunk = chunk, b""
            else:
                out = inflater.decompress(chunk, info.file_size - produced + 1)
                chunk = inflater.unconsumed_tail
            produced += len(out)
            if produced > info.file_size:
                raise ImportRefused(BOMB)
            if out:
                yield out
    if produced != info.file_size:
        raise ImportRefused(CORRUPT)


def _scan_part(fh, info: zipfile.ZipInfo) -> None:
    """Inflate one part; if it is XML (wherever it lies: the workbook may point anywhere), look for formula
    elements, far-away references and too many rows on the way."""
    tail, rows, formula = b"", 0, None
    for out in _inflate(fh, info):
        buf = tail + out
        if formula is None:
            start = buf.lstrip(b"\xef\xbb\xbf \t\r\n")
            if not start.startswith(b"<"):
                formula = ()  # not XML (an image): inflated only to prove its real size
            else:  # the formula element carries the root element's namespace prefix, if any
                root = next((m for m in _FIRST_TAG.finditer(start, 0, 65536)), None)
                prefix = root[1] + b":" if root and root[1] else b""
                formula = tuple(b"<" + prefix + b"f" + end for end in (b">", b" ", b"/", b"\t", b"\n", b"\r"))
        if not formula:
            continue
        if any(f in buf for f in formula):
            raise ImportRefused(FORMULA)
        for far in _FAR.finditer(buf):
            if buf[far.start() - 1:far.start()] in (b" ", b"\t", b"\r", b"\n"):  # an attribute, not text
                raise ImportRefused(TOO_WIDE if far["wide"] else TOO_LONG)
        rows += buf.count(b"<row") - tail.count(b"<row")
        if rows > MAX_SHEET_ROW:
            raise ImportRefused(TOO_LONG)
        tail = buf[-64:]


# --- 2. rules across cells and rows --------------------------------------------------------------------

# Blank optional cells: the model's default (only for columns present in the file).
HEAD_BLANKS = {"ethnicity": "汉族", "disability_type": "无", "model_worker_type": "非劳模", "postcode": "", "phone": "",
               "work_start_date": None, "employer": "", "cause_2": "", "cause_3": "", "remarks": "",
               "rigid_expenses": Decimal("0.00"), "hardship_costs": Decimal("0.00"), "dibao_monthly": None,
               "dibao_from": None, "dibao_to": None}
MEMBER_BLANKS = {"sex": "", "political_status": "群众", "birth_date": None, "id_number": "", "health": "良好",
                 "monthly_income": Decimal("0.00"), "school_or_employer": ""}
MEMBER_KEYS = ("name", "relation", "sex", "political_status", "birth_date", "id_number", "health", "monthly_income",
               "identity", "school_or_employer")
CAUSES = ("cause_1", "cause_2", "cause_3")


def _check_household(h: HeadRow, blanks: dict) -> None:
    """The cross-field rules of ``services._normalize``, with the same messages, on typed values.
    ``blanks``: the value of a blank cell in each optional column the file has."""
    h.fields = f = blanks | h.fields
    row = h.row
    causes = [f[k] for k in CAUSES if f.get(k)]
    if not any(col.startswith("致困主要原因") for _r, col, _m in h.errors):
        repeated = next((i for i, k in enumerate(CAUSES, 1) if f.get(k) and f[k] in [f.get(j) for j in CAUSES[:i - 1]]),
                        None)
        if not causes:
            h.errors.append((row, "致困主要原因1", "致困主要原因最少填写1项，最多3项"))
        elif repeated:
            h.errors.append((row, f"致困主要原因{repeated}", "致困主要原因不能重复"))
    for i, c in enumerate([*causes, "", "", ""][:3], start=1):
        f[f"cause_{i}"] = c
    if h.number:
        card = idcard.IdCard(h.number)
        f["birth_date"], f["sex"] = card.birth_date, card.sex
    size = f.get("household_size")
    if size is not None and size < 1 + len(h.members):
        h.errors.append((row, "家庭人口", f"家庭人口（{size}）不能少于户主加登记的家庭成员数（{1 + len(h.members)}）"))
    seen = {h.number} if h.number else set()
    for m in h.members:
        m.data = d = MEMBER_BLANKS | m.data
        number = d["id_number"]
        if number:
            card = idcard.IdCard(number)
            d["birth_date"], d["sex"] = card.birth_date, card.sex
            if number in seen:
                m.errors.append((m.row, member_label("身份证号"), "同一身份证号在本户中出现了两次"))
            seen.add(number)
        elif (not d.get("birth_date") or not d.get("sex")) and not any(
                col.endswith(("身份证号", "出生日期", "性别")) for _r, col, _m in m.errors):
            m.errors.append((m.row, member_label("出生日期" if not d.get("birth_date") else "性别"),
                             "没有身份证号时须填写出生日期和性别"))


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class Chunk:
    """One chunk of households as read (members attached), with what the whole file shares: the book's columns
    and the index of every person seen so far in the file (the ID's first 17 digits → the row where it first
    appeared, negative on the member sheet). The index is the only part of the plan that grows with the file."""

    households: list[HeadRow]
    book: Book
    seen: dict[int, int]
    blanks: dict


def _where(row: int) -> str:
    return f"“{HEAD_SHEET}”表第{row}行" if row > 0 else f"“{MEMBER_SHEET}”表第{-row}行"


def _live_persons(bidxs: list[str]) -> dict[str, tuple[int, bool]]:
    """The live people among these blind indexes: blind index → (archive id, is head)."""
    live: dict[str, tuple[int, bool]] = {}
    if not bidxs:
        return live
    if bulkcopy.can_copy():  # one array parameter instead of thousands of placeholders
        with connection.cursor() as cur:
            cur.execute(f"SELECT id_bidx, archive_id, is_head FROM {ArchivePerson._meta.db_table} "  # noqa: S608 (the model's table)
                        "WHERE live AND id_bidx = ANY(%s)", [bidxs])
            return {b: (a, head) for b, a, head in cur.fetchall()}
    for part in _chunks(bidxs, 5_000):
        found = ArchivePerson.objects.filter(live=True, id_bidx__in=part)
        live.update((b, (a, head)) for b, a, head in found.values_list("id_bidx", "archive_id", "is_head"))
    return live


def _plan(actor: Actor, org: Org, chunk: Chunk) -> None:
    """Decide each household's action in one chunk: create, update, unchanged or error (with the reason). A
    person met earlier in the file is an error here; the others are matched against the database."""
    seen, book = chunk.seen, chunk.book
    new: list[str] = []  # blind indexes first met in this chunk
    for h in chunk.households:
        _check_household(h, chunk.blanks)
        if h.number:
            h.bidx = bidx(pii.ID_NUMBER, h.number)
            where = seen.setdefault(int(h.number[:17]), h.row)
            if where != h.row:
                h.errors.append((h.row, "身份证号", f"该身份证号已在本文件{_where(where)}出现，一人只能在一户中"))
            else:
                new.append(h.bidx)
        for m in h.members:
            number = m.data["id_number"]
            if not number:
                continue
            m.bidx = bidx(pii.ID_NUMBER, number)
            where = seen.setdefault(int(number[:17]), -m.row)
            if where == -m.row:
                new.append(m.bidx)
            elif not any(c.endswith("身份证号") for _r, c, _m in m.errors):
                m.errors.append((m.row, member_label("身份证号"),
                                 f"该身份证号已在本文件{_where(where)}出现，一人只能在一户中"))
    live = _live_persons(new)
    archives: dict[int, Archive] = {}
    for part in _chunks(sorted({a for a, _h in live.values()}), 5_000):
        archives.update((a.pk, a) for a in Archive.objects.filter(pk__in=part).select_related("org"))
    current: dict[int, list[FamilyMember]] = {}
    mine = [pk for pk, a in archives.items() if a.org.path.startswith(org.path)]
    for part in _chunks(mine, 5_000):
        for fm in FamilyMember.objects.filter(archive_id__in=part).order_by("archive_id", "position", "id"):
            current.setdefault(fm.archive_id, []).append(fm)
    for h in chunk.households:
        hit = live.get(h.bidx) if h.bidx else None
        if hit:
            archive, is_head = archives[hit[0]], hit[1]
            if is_head and archive.org.path.startswith(org.path):
                h.archive = archive
            else:
                h.errors.append((h.row, "身份证号", conflict_message(actor, archive, is_head=is_head)))
        for m in h.members:
            other = live.get(m.bidx) if m.bidx else None
            if other and (h.archive is None or other[0] != h.archive.pk):
                m.errors.append((m.row, member_label("身份证号"),
                                 conflict_message(actor, archives[other[0]], is_head=other[1])))
        if h.failed:
            h.action = "error"
        elif h.archive is None:
            h.action = "create"
        elif not _differs(h, book, current.get(h.archive.pk, [])):
            h.action = "unchanged"
        elif h.archive.status in EDITABLE_STATUSES:
            h.action = "update"
        else:
            h.errors.append((h.row, "", f"档案{h.archive.archive_no}处于“{h.archive.get_status_display()}”状态，"
                                        "不能修改（草稿或在档时可修改）"))
            h.action = "error"


def _differs(h: HeadRow, book: Book, members: list[FamilyMember]) -> bool:
    if any(getattr(h.archive, k) != v for k, v in h.fields.items()):
        return True
    if not book.has_members:
        return False
    theirs = [tuple(getattr(fm, k) for k in MEMBER_KEYS) for fm in members]
    return theirs != [tuple(m.data[k] for k in MEMBER_KEYS) for m in h.members]


# --- 3. writing ------------------------------------------------------------------------------------------

class _Abort(Exception):
    def __init__(self, errors):
        self.errors = errors


def _service_input(h: HeadRow, book: Book) -> ArchiveInput:
    """What ``archive_update`` takes: columns absent from the file keep the archive's current values."""
    a = h.archive
    fields = {}
    for name in HEAD_FIELDS:
        if name == "causes":
            fields[name] = [h.fields[k] for k in CAUSES if h.fields[k]]
        else:
            fields[name] = h.fields[name] if name in h.fields else getattr(a, name)
    if book.has_members:
        members = [{k: m.data[k] for k in MEMBER_KEYS} for m in h.members]
    else:
        members = [{k: getattr(fm, k) for k in MEMBER_KEYS} for fm in a.members.all()]
    return ArchiveInput(fields=fields, members=members)


def _error_entries(h: HeadRow, exc: ValidationError) -> list[tuple]:
    headers = {c.field: c.header for c in HEAD_COLUMNS} | {"causes": "致困主要原因1", "members": MEMBER_SHEET,
                                                           "__all__": ""}
    if not hasattr(exc, "error_dict"):
        return [(h.row, "", m) for m in exc.messages]
    return [(h.row, headers.get(k, k), m) for k, msgs in exc.message_dict.items() for m in msgs]


def _reserve_numbers(org: Org, n: int) -> list[str]:
    """``n`` archive numbers in one block from the org's counter for this year (row-locked by the UPDATE)."""
    year = timezone.localdate().year
    try:
        with transaction.atomic():
            ArchiveCounter.objects.get_or_create(org=org, year=year)
    except IntegrityError:  # another filing created this year's counter at the same moment
        pass
    ArchiveCounter.objects.filter(org=org, year=year).update(last=F("last") + n)
    last = ArchiveCounter.objects.get(org=org, year=year).last
    return [f"{org.code}-{year}-{seq:05d}" for seq in range(last - n + 1, last + 1)]


def _create(actor: Actor, org: Org, households: list[HeadRow], filename: str) -> None:
    """New drafts in batches: archives, members, the person index, the timeline, one audit row per batch."""
    if not households:
        return
    archive_t, member_t = bulkcopy.Table(Archive, pk=True), bulkcopy.Table(FamilyMember, pk=True)
    person_t, step_t = bulkcopy.Table(ArchivePerson, pk=False), bulkcopy.Table(ArchiveStep, pk=False)
    now, user_id = timezone.now(), actor.user.pk
    archive_row = archive_t.maker(org_id=org.pk, status=ArchiveStatus.DRAFT, created_by_id=user_id, created_at=now,
                                  updated_at=now)
    member_row = member_t.maker()
    head_row, person_row = person_t.maker(is_head=True, live=True, member_id=None), person_t.maker(live=True)
    step_row = step_t.maker(action="file", from_status="", to_status=ArchiveStatus.DRAFT, actor_id=user_id, at=now,
                            data={})
    numbers = _reserve_numbers(org, len(households))
    for start in range(0, len(households), BATCH):
        batch = households[start:start + BATCH]
        archive_ids = archive_t.ids(len(batch))
        member_ids = iter(member_t.ids(sum(len(h.members) for h in batch)))
        archives, members, persons, steps = [], [], [], []
        for archive_id, h, number in zip(archive_ids, batch, numbers[start:start + BATCH], strict=True):
            f = h.fields
            archives.append(archive_row({**f, "id": archive_id, "archive_no": number, "id_number_bidx": h.bidx,
                                         "phone_bidx": bidx(pii.PHONE, f["phone"]) if f.get("phone") else ""}))
            persons.append(head_row({"archive_id": archive_id, "id_bidx": h.bidx}))
            for pos, m in enumerate(h.members, start=1):
                member_id = next(member_ids)
                members.append(member_row({**m.data, "id": member_id, "archive_id": archive_id, "position": pos,
                                           "id_number_bidx": m.bidx}))
                if m.bidx:
                    persons.append(person_row({"archive_id": archive_id, "id_bidx": m.bidx, "is_head": False,
                                               "member_id": member_id}))
            steps.append(step_row({"archive_id": archive_id, "note": f"批量导入（{filename}第{h.row}行）"}))
        archive_t.insert(archives)
        member_t.insert(members)
        person_t.insert(persons)
        step_t.insert(steps)
        audit_record(actor=actor, action="archive.import", object_type="archive", object_id=archive_ids[0], org=org,
                     after={"file": filename, "created": len(batch), "archive_nos": numbers[start:start + len(batch)]})


def _write(actor: Actor, org: Org, chunk: Chunk, *, valid_only: bool, filename: str) -> list[tuple]:
    """Write one planned chunk inside the caller's transaction; returns the problems met while writing
    (valid_only; otherwise the first one raises ``_Abort``)."""
    errors = []
    for h in chunk.households:
        if h.action != "update":
            continue
        try:
            with transaction.atomic():
                archive_update(actor=actor, archive=h.archive, data=_service_input(h, chunk.book))
        except ValidationError as exc:
            if not valid_only:
                raise _Abort(_error_entries(h, exc)) from None
            errors.extend(_error_entries(h, exc))
            h.action = "error"
    _create(actor, org, [h for h in chunk.households if h.action == "create"], filename)
    return errors


# --- 4. the service ------------------------------------------------------------------------------------

def summary(rows=0, created=0, updated=0, unchanged=0, errors=()) -> dict:
    return {"rows": rows, "created": created, "updated": updated, "unchanged": unchanged,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in errors]}


class _Writer:
    """Where the chunks are written, all in one transaction (entered and left by ``with``).

    On PostgreSQL outside any open transaction (the worker, the CLI), one background thread on its own connection
    holds the import's transaction and writes chunk k while this thread reads, types and checks chunk k + 1: the
    database's half of the work (the ``COPY``, index upkeep, the foreign-key checks at commit) runs on another core
    beside the Python half, as the payment batch does. At most one chunk is in flight. The checks of the next chunk
    run on this thread's connection and do not see the rows written so far; the file's own index catches a person
    met earlier in the file, and the database's unique index of live people still refuses a race (the whole import
    is then undone). Inside a transaction (a test, a caller's ``atomic``) or on SQLite, chunks are written in place,
    inside the caller's transaction."""

    def __init__(self, background: bool):
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="warmth-import") if background else None
        self.pending: Future | None = None
        self.atomic = transaction.atomic()

    def _call(self, fn, *args):
        return fn(*args) if self.pool is None else self.pool.submit(fn, *args).result()

    def __enter__(self) -> _Writer:
        self._call(self.atomic.__enter__)
        return self

    def submit(self, fn, *args) -> None:
        self.wait()
        if self.pool is None:
            fn(*args)
        else:
            self.pending = self.pool.submit(fn, *args)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def __exit__(self, exc_type, exc, tb) -> None:
        raised = None
        try:
            try:
                self.wait()
            except BaseException as e:  # a failed last chunk: undo everything and raise its error
                if exc_type is None:
                    exc_type, exc, tb, raised = type(e), e, e.__traceback__, e
            self._call(self.atomic.__exit__, exc_type, exc, tb)  # commit, or roll back on an error
        finally:
            if self.pool is not None:
                self.pool.submit(_close_connection).result()  # the thread's own connection
                self.pool.shutdown()
                self.pool = None
        if raised is not None:
            raise raised


def _close_connection() -> None:
    connection.close()  # ``connection`` resolves to the calling thread's own


class _Run:
    """One pass over the file, chunk by chunk: read and type, plan, and (unless a dry run, or once a problem
    means nothing will be kept) write. What it keeps across chunks: the counts, the problems, the file's index."""

    def __init__(self, actor: Actor, org: Org, reader: BookReader, *, writer: _Writer | None, valid_only: bool,
                 filename: str, progress):
        self.actor, self.org, self.reader, self.writer = actor, org, reader, writer
        self.write, self.valid_only, self.filename, self.progress = writer is not None, valid_only, filename, progress
        self.counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        self.head_errors: list[tuple] = []
        self.member_errors: list[tuple] = []
        self.write_errors: list[tuple] = []
        self.seen: dict[int, int] = {}
        self.blanks = {name: value for name, value in HEAD_BLANKS.items() if name in reader.book.columns}

    def _written(self) -> None:
        """Wait for the chunk in flight; a problem met writing it (not valid_only) means nothing will be kept."""
        if not self.write:
            return
        try:
            self.writer.wait()
        except _Abort as exc:
            self.write = False
            self.write_errors += exc.errors

    def _write(self, chunk: Chunk) -> None:
        self.write_errors += _write(self.actor, self.org, chunk, valid_only=self.valid_only, filename=self.filename)
        for h in chunk.households:
            self.counts[h.action] += 1

    def chunk(self, households: list[HeadRow]) -> None:
        chunk = Chunk(households, self.reader.book, self.seen, self.blanks)
        _plan(self.actor, self.org, chunk)
        for h in households:
            self.head_errors.extend(h.errors)
            for m in h.members:
                self.member_errors.extend(m.errors)
        self._written()
        if self.write and (self.head_errors or self.member_errors) and not self.valid_only:
            self.write = False  # nothing of this file will be kept: only its problems are still looked for
        if self.write:
            self.writer.submit(self._write, chunk)
        else:
            for h in households:
                self.counts[h.action] += 1

    def errors(self) -> list[tuple]:
        for m in self.reader.orphans:
            self.member_errors.extend(m.errors)
        self.reader.orphans = []
        return (sorted(self.head_errors, key=lambda e: e[0]) + sorted(self.member_errors, key=lambda e: e[0])
                + self.write_errors)

    def run(self) -> None:
        if self.progress:
            self.progress.start(self.reader.total_hint, "正在导入" if self.write else "正在检查")
        for households in self.reader.chunks(CHUNK):
            self.chunk(households)
            if self.progress:
                self.progress.advance(self.reader.rows, f"已处理{self.reader.rows:,}户")
        self._written()
        if self.write and self.reader.orphans and not self.valid_only:
            self.write = False  # member rows of no household: known only after the last chunk, each a problem


class _Rollback(Exception):
    pass


def archive_import(*, actor: Actor, org: Org, path: Path, dry_run: bool = False, valid_only: bool = False,
                   filename: str = "", progress=None) -> dict:
    """Import a filled template into ``org`` (inside the actor's subtree). Returns the summary
    ``{"rows", "created", "updated", "unchanged", "errors": [{"row", "column", "message"}]}``, rows being
    the Excel row numbers the user sees.

    A dry run writes nothing; its counts say what importing the rows without problems would do. The real run
    writes nothing at all when any row has a problem, unless ``valid_only`` (then the households without
    problems are written). A refused file raises ``ImportRefused``; an org outside the subtree or a role
    without ``archive.write``, ``PermissionDenied``.

    The file is read, checked and written in chunks of ``CHUNK`` households (memory stays flat whatever the
    file's size), all inside one transaction: a problem met in any chunk, a refusal or a database error undoes
    every chunk written before it."""
    actor.require(Perm.ARCHIVE_WRITE)
    if not actor.sees_org(org):
        raise PermissionDenied("只能导入到本级及下级组织")
    path = Path(path)
    filename = filename or path.name
    check_file(path, filename)
    with BookReader(path, progress=progress) as reader:
        if dry_run:
            run = _Run(actor, org, reader, writer=None, valid_only=valid_only, filename=filename, progress=progress)
            run.run()
            c = run.counts
            return summary(reader.rows, c["create"], c["update"], c["unchanged"], run.errors())
        writer = _Writer(background=bulkcopy.can_copy() and not connection.in_atomic_block)
        run = _Run(actor, org, reader, writer=writer, valid_only=valid_only, filename=filename, progress=progress)
        try:
            with writer:
                run.run()
                if not run.write:
                    raise _Rollback
        except _Rollback:
            return summary(reader.rows, errors=run.errors())
        except IntegrityError:
            log.warning("archive import into %s refused by the database", org.code, exc_info=True)
            return summary(reader.rows, errors=[*run.errors(), (0, "", RACE)])
    c = run.counts
    return summary(reader.rows, c["create"], c["update"], c["unchanged"], run.errors())


# --- 5. the background job -----------------------------------------------------------------------------

def _imports_dir() -> Path:
    folder = Path(settings.WARMTH_FILES_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(chunks: Iterable[bytes]) -> str:
    """Save an uploaded file under the files directory (never a web root); returns its relative path."""
    rel = f"imports/{uuid.uuid4().hex}.xlsx"
    path = _imports_dir() / Path(rel).name
    size = 0
    with path.open("wb") as fh:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                fh.close()
                path.unlink(missing_ok=True)
                raise ImportRefused(f"文件超过{MAX_FILE_BYTES // 2**20} MB，请拆分后再导入")
            fh.write(chunk)
    return rel


def archive_import_start(*, actor: Actor, chunks: Iterable[bytes], filename: str, org: Org, dry_run: bool = False,
                         valid_only: bool = False):
    """Store the upload and queue the "archives.import" job (the page polls its progress)."""

    actor.require(Perm.ARCHIVE_WRITE)
    if not actor.sees_org(org):
        raise PermissionDenied("只能导入到本级及下级组织")
    rel = store_upload(chunks)
    title = f"{'试导入' if dry_run else '导入'}困难职工档案：{Path(filename).name}"
    return job_create(actor=actor, kind="archives.import", title=title,
                      params={"path": rel, "name": Path(filename).name[:200], "org": org.code, "dry_run": dry_run,
                              "valid_only": valid_only})


class _JobProgress:
    """``jobs.services.Progress`` plus the reader's plain progress messages."""

    def __init__(self, progress):
        self.p = progress

    def start(self, total: int, message: str = "") -> None:
        self.p.start(total, message)

    def advance(self, done: int, message: str | None = None) -> None:
        self.p.advance(done, message)

    def message(self, text: str) -> None:
        self.p.job.message = text[:300]
        self.p.job.save(update_fields=["message"])


def _drop_upload(job) -> None:
    """The stored upload of an import given up after its worker died (the handler's ``finally`` never ran)."""
    root = _imports_dir().resolve()
    path = (root.parent / str(job.params.get("path", ""))).resolve()
    if path.is_relative_to(root) and path.is_file():
        path.unlink()


# all or nothing (one transaction) and the upload stays until the job ends: a re-run after a dead worker is safe
@register("archives.import", rerun=True, abandon=_drop_upload)
def import_job(job, progress) -> None:
    """Params: path (under the files directory), name, org (code), dry_run, valid_only; result: the summary.
    The stored upload holds personal data: it is deleted when the job ends, whatever the outcome."""

    actor = Actor(job.created_by, job.membership)
    p = job.params
    root = _imports_dir().resolve()
    path = (root.parent / p["path"]).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise JobInputError("上传的文件已不存在，请重新上传")
    dry_run = bool(p.get("dry_run"))
    try:
        try:
            org = org_for_actor(actor, p["org"])
            progress.start(0, "正在检查文件")
            result = archive_import(actor=actor, org=org, path=path, dry_run=dry_run,
                                    valid_only=bool(p.get("valid_only")), filename=p.get("name", ""),
                                    progress=_JobProgress(progress))
        except Http404:
            raise JobInputError("组织不存在或不在您的管辖范围内") from None
        except PermissionDenied as exc:
            raise JobInputError(str(exc)) from None
    finally:
        path.unlink(missing_ok=True)
    head = "试导入（未写入）" if dry_run else "导入完成"
    job_finish(job, result=result, message=f"{head}：共{result['rows']:,}户，新建{result['created']:,}户，"
                                           f"更新{result['updated']:,}户，未变化{result['unchanged']:,}户，"
                                           f"问题{len(result['errors']):,}处")
