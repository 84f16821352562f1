"""docs/workflow.md is generated from the code; the committed file must be what the code generates now."""

from __future__ import annotations

from pathlib import Path

from straitlink.domain import workflow as wf
from straitlink.tools import gendocs

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_workflow_doc_matches_the_code() -> None:
    committed = (DOCS / "workflow.md").read_text(encoding="utf-8")
    assert committed == gendocs.workflow_markdown(), "docs/workflow.md is out of date: run `make docs`"


def test_the_diagram_has_one_edge_per_step_and_source() -> None:
    edges = [line for line in gendocs.mermaid() if "-->" in line and "[*]" not in line]
    assert len(edges) == sum(len(t.sources) for t in wf.TRANSITIONS)


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    (tmp_path / "workflow.md").write_text("stale\n", encoding="utf-8")
    assert gendocs.main(["--docs", str(tmp_path), "--check"]) == 1
    assert gendocs.main(["--docs", str(tmp_path)]) == 0
    assert gendocs.main(["--docs", str(tmp_path), "--check"]) == 0
