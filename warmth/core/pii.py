"""Kinds of personal data, how each is normalized for its blind index and how it is masked for display."""

from __future__ import annotations

import re
import unicodedata

ID_NUMBER = "idcard"
PHONE = "phone"
BANK_ACCOUNT = "bank"
KINDS = (ID_NUMBER, PHONE, BANK_ACCOUNT)


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "")


def normalize(kind: str, value: str) -> str:
    # the common case (ASCII letters and digits only) has nothing to strip or fold
    text = value if value and value.isascii() and value.isalnum() else re.sub(r"[\s\-]", "", _ascii(value))
    if kind == ID_NUMBER:
        return text.upper()
    if kind == PHONE:
        return text.removeprefix("+86")
    if kind == BANK_ACCOUNT:
        return text
    raise ValueError(f"unknown personal data kind {kind!r}")


def mask_id_number(value: str) -> str:
    """``110101********1234`` (18 digits); shorter values keep only their last 4 characters."""
    v = normalize(ID_NUMBER, value)
    if not v:
        return ""
    if len(v) >= 15:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    return "*" * max(len(v) - 4, 0) + v[-4:]


def mask_phone(value: str) -> str:
    """``138****5678`` for an 11-digit mobile; otherwise all but the last 4 digits hidden."""
    v = normalize(PHONE, value)
    if not v:
        return ""
    if len(v) == 11:
        return v[:3] + "****" + v[-4:]
    return "*" * max(len(v) - 4, 0) + v[-4:]


def mask_account(value: str) -> str:
    """``****1234``: only the last 4 digits of a bank account."""
    v = normalize(BANK_ACCOUNT, value)
    return "****" + v[-4:] if v else ""


def mask_name(value: str) -> str:
    """``张*明`` (3 characters), ``张*`` (2), ``欧**明`` (4): the first and last characters stay."""
    v = (value or "").strip()
    if len(v) <= 1:
        return v
    if len(v) == 2:
        return v[0] + "*"
    return v[0] + "*" * (len(v) - 2) + v[-1]


MASKERS = {ID_NUMBER: mask_id_number, PHONE: mask_phone, BANK_ACCOUNT: mask_account}


def mask(kind: str, value: str) -> str:
    return MASKERS[kind](value)
