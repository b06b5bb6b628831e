from pathlib import Path

from warmth.orgs.permissions import permissions_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_permissions_document_shows_the_matrix_the_code_enforces():
    assert permissions_markdown() in (DOCS / "permissions.md").read_text(encoding="utf-8")
