"""docs/permissions.md is generated from the one table of roles and permissions; it must match the code."""

from __future__ import annotations

from pathlib import Path

from straitlink.domain.access import PERMISSIONS, AccountRole, Permission
from straitlink.tools.permissions_doc import permissions_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_permissions_doc_matches_the_code() -> None:
    committed = (DOCS / "permissions.md").read_text(encoding="utf-8")
    assert committed == permissions_markdown(), "docs/permissions.md is out of date: run `make docs`"


def test_every_permission_has_one_row_and_every_role_a_column() -> None:
    text = permissions_markdown()
    for p in Permission:
        assert sum(1 for line in text.splitlines() if line.startswith(f"| `{p.value}` |")) == 1
    header = next(line for line in text.splitlines() if line.startswith("| permission |"))
    assert all(f"`{r.value}`" in header for r in AccountRole)


def test_the_peer_can_do_nothing_but_exchange_and_the_viewer_never_writes() -> None:
    assert PERMISSIONS[AccountRole.PEER] == frozenset({Permission.EXCHANGE})
    writes = {p for p in Permission if not p.value.endswith(".read")}
    assert not (PERMISSIONS[AccountRole.VIEWER] - {Permission.STATS_READ}) & writes
