"""The bulk-job engine: streaming rows, rejects, checkpoints and exact resumption.

These tests drive the engine with an in-memory applier that records every batch, so that
"no row sent twice, none lost" can be checked row by row; the client-backed runs against the
sandbox (including a process killed mid-run) are in tests/cli/.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from hubspot_assoc.bulk import (
    BadRow,
    BulkError,
    ExportJob,
    Found,
    ImportJob,
    Row,
    count_rows,
    parse_type_text,
    read_rows,
)
from hubspot_assoc.errors import InvalidInputError


class Killed(BaseException):
    """Stands for the process dying in the middle of a batch."""


class MemoryPortal:
    """Associations kept in a set; refuses pairs whose target id is in ``refuse``."""

    def __init__(self, refuse: Sequence[str] = (), kill_on_call: int | None = None) -> None:
        self.pairs: set[tuple[str, str]] = set()
        self.sent: list[tuple[str, str]] = []
        self.refuse = set(refuse)
        self.calls = 0
        self.kill_on_call = kill_on_call
        self.checked: list[list[int]] = []

    def apply(self, rows: Sequence[Row]) -> list[tuple[Row, str]]:
        self.calls += 1
        refused = []
        for n, row in enumerate(rows):
            if self.kill_on_call == self.calls and n == len(rows) // 2:
                raise Killed  # half of this batch was applied, the rest never arrived
            self.sent.append((row.from_id, row.to_id))
            if row.to_id in self.refuse:
                refused.append((row, f"refused {row.to_id}"))
            else:
                self.pairs.add((row.from_id, row.to_id))
        return refused

    def in_effect(self, rows: Sequence[Row]) -> set[int]:
        self.checked.append([r.index for r in rows])
        return {r.index for r in rows if (r.from_id, r.to_id) in self.pairs}


def write_csv(path: Path, n: int, header: bool = True) -> Path:
    lines = ["from_id,to_id"] if header else []
    lines += [f"{1 + i // 7},{1000 + i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- reading -----------------------------------------------------------------------------------


def test_csv_rows_with_header_types_and_bad_rows() -> None:
    text = "to_id,from_id,types\n2,1,USER_DEFINED:1000;hubspot_defined:279\n3,x,\n\n4,1,\n"
    rows = list(read_rows(io.StringIO(text), "csv", [("USER_DEFINED", 5)]))
    first, bad, third = rows
    assert first == Row(0, 2, "1", "2", (("USER_DEFINED", 1000), ("HUBSPOT_DEFINED", 279)))
    assert isinstance(bad, BadRow) and bad.line == 3 and "from_id" in bad.reason
    assert third == Row(2, 5, "1", "4", (("USER_DEFINED", 5),))  # the job's types apply


def test_csv_without_header_is_positional() -> None:
    rows = list(read_rows(io.StringIO("1,2\n3,4,WORK:7\n"), "csv"))
    assert rows == [Row(0, 1, "1", "2", ()), Row(1, 2, "3", "4", (("WORK", 7),))]


def test_jsonl_rows_accept_several_type_forms() -> None:
    text = (
        '{"from_id": 1, "to_id": "2", "types": ["USER_DEFINED:9"]}\n'
        '{"from_id": "1", "to_id": "3", "types": [{"category": "WORK", "typeId": 4}]}\n'
        '{"from_id": "1", "to_id": "4", "types": [["HUBSPOT_DEFINED", 279]]}\n'
        "not json\n"
        '{"from_id": "01", "to_id": "5"}\n'
    )
    rows = list(read_rows(io.StringIO(text), "jsonl"))
    assert [r.types for r in rows[:3] if isinstance(r, Row)] == [
        (("USER_DEFINED", 9),),
        (("WORK", 4),),
        (("HUBSPOT_DEFINED", 279),),
    ]
    assert [type(r) for r in rows[3:]] == [BadRow, BadRow]


@pytest.mark.parametrize("bad", ["USER:1", "USER_DEFINED", "USER_DEFINED:x", "WORK:-1", ":3"])
def test_parse_type_text_rejects(bad: str) -> None:
    with pytest.raises(InvalidInputError, match=r"CATEGORY:ID|type id"):
        parse_type_text(bad)


def test_count_rows_counts_lines_without_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\nb\nc", encoding="utf-8")
    assert count_rows(path) == 3


# -- import ------------------------------------------------------------------------------------


def test_import_applies_every_row_once_and_rejects_refusals(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 250)
    with source.open("a", encoding="utf-8") as f:
        f.write("oops,1\n")
    portal = MemoryPortal(refuse=["1003", "1100"])
    seen: list[int] = []
    job = ImportJob(
        portal,
        "contacts",
        "companies",
        source,
        batch_size=100,
        rejects=tmp_path / "rejects.csv",
        progress=lambda done, total, summary: seen.append(done),
    )
    summary = job.run()
    assert portal.calls == 3 and seen == [100, 200, 251]
    assert len(portal.sent) == 250 == len(set(portal.sent))
    assert (summary.rows, summary.applied, summary.rejected, summary.calls) == (251, 248, 3, 3)
    rejects = (tmp_path / "rejects.csv").read_text(encoding="utf-8").splitlines()
    assert rejects[0] == "line,from_id,to_id,types,error"
    assert [r.split(",")[0] for r in rejects[1:]] == ["5", "102", "252"]
    assert "refused 1003" in rejects[1] and "unreadable row" in rejects[3]


def test_stop_then_resume_sends_each_row_exactly_once(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 450)
    checkpoint = tmp_path / "job.checkpoint"
    portal = MemoryPortal()

    def stop_after_two(done: int, total: int | None, summary: object) -> None:
        if done >= 200:
            job.stop()

    job = ImportJob(
        portal, "contacts", "companies", source, checkpoint=checkpoint, progress=stop_after_two
    )
    first = job.run()
    assert first.interrupted and first.rows == 200 and portal.calls == 2
    assert json.loads(checkpoint.read_text())["done"] == 200

    again = ImportJob(portal, "contacts", "companies", source, checkpoint=checkpoint)
    second = again.run()
    assert second.resumed and not second.interrupted
    assert second.rows == 450 and second.applied == 450 and second.calls == 5
    assert len(portal.sent) == 450 == len(set(portal.sent))
    assert portal.checked == []  # a clean stop leaves nothing in flight


def test_killed_mid_batch_resumes_by_checking_the_rows_in_flight(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 300)
    checkpoint = tmp_path / "job.checkpoint"
    rejects = tmp_path / "rejects.csv"
    portal = MemoryPortal(refuse=["1250"], kill_on_call=2)
    with pytest.raises(Killed):
        ImportJob(portal, "c", "d", source, checkpoint=checkpoint, rejects=rejects).run()
    state = json.loads(checkpoint.read_text())
    assert state["done"] == 100 and state["inflight"] == [100, 200]
    assert len(portal.sent) == 150  # 100 + half of the second batch

    portal.kill_on_call = None
    summary = ImportJob(portal, "c", "d", source, checkpoint=checkpoint, rejects=rejects).run()
    assert portal.checked == [list(range(100, 200))]
    assert summary.already == 50
    assert summary.applied == 299 and summary.rejected == 1
    assert len(portal.sent) == 300 == len(set(portal.sent))  # nothing sent twice, none lost
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "1250" in lines[1]


def test_resume_cuts_rejects_written_after_the_last_commit(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 150)
    checkpoint = tmp_path / "job.checkpoint"
    rejects = tmp_path / "rejects.csv"
    portal = MemoryPortal(refuse=["1010"], kill_on_call=2)
    with pytest.raises(Killed):
        ImportJob(portal, "c", "d", source, checkpoint=checkpoint, rejects=rejects).run()
    with rejects.open("a", encoding="utf-8") as f:
        f.write("999,torn line written after the commit\n")
    portal.kill_on_call = None
    ImportJob(portal, "c", "d", source, checkpoint=checkpoint, rejects=rejects).run()
    assert "torn line" not in rejects.read_text(encoding="utf-8")


def test_a_checkpoint_of_another_job_is_refused(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 10)
    checkpoint = tmp_path / "job.checkpoint"
    ImportJob(MemoryPortal(), "contacts", "companies", source, checkpoint=checkpoint).run()
    with pytest.raises(BulkError, match=r"different job.*to_type"):
        ImportJob(MemoryPortal(), "contacts", "deals", source, checkpoint=checkpoint)
    with source.open("a", encoding="utf-8") as f:
        f.write("5,6\n")
    with pytest.raises(BulkError, match=r"different job.*size"):
        ImportJob(MemoryPortal(), "contacts", "companies", source, checkpoint=checkpoint)
    checkpoint.write_text("{broken", encoding="utf-8")
    with pytest.raises(BulkError, match="cannot be read"):
        ImportJob(MemoryPortal(), "contacts", "companies", source, checkpoint=checkpoint)


def test_bad_arguments_are_refused_before_anything_runs(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 1)
    with pytest.raises(InvalidInputError, match="batch_size"):
        ImportJob(MemoryPortal(), "c", "d", source, batch_size=101)
    with pytest.raises(InvalidInputError, match="mode"):
        ImportJob(MemoryPortal(), "c", "d", source, mode="update")  # type: ignore[arg-type]
    with pytest.raises(BulkError, match="does not exist"):
        ImportJob(MemoryPortal(), "c", "d", tmp_path / "missing.csv")


# -- export ------------------------------------------------------------------------------------


class MemoryReader:
    def __init__(self, data: Found, errors: dict[str, str] | None = None) -> None:
        self.data = data
        self.errors = errors or {}
        self.calls: list[list[str]] = []

    def read(self, ids: Sequence[str]) -> tuple[Found, list[tuple[str, str]]]:
        self.calls.append(list(ids))
        found = {i: self.data[i] for i in ids if i in self.data}
        return found, [(i, self.errors[i]) for i in ids if i in self.errors]


def test_export_writes_importable_rows_and_rejects(tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("id\n1\n2\nnope\n3\n", encoding="utf-8")
    reader = MemoryReader(
        {"1": [("10", (("HUBSPOT_DEFINED", 279),)), ("11", ())], "3": [("12", ())]},
        errors={"2": "no such record"},
    )
    out = tmp_path / "out.csv"
    summary = ExportJob(reader, "c", "d", ids, out, rejects=tmp_path / "rej.csv").run()
    assert reader.calls == [["1", "2", "3"]]
    assert out.read_text(encoding="utf-8").splitlines() == [
        "from_id,to_id,types",
        "1,10,HUBSPOT_DEFINED:279",
        "1,11,",
        "3,12,",
    ]
    assert (summary.applied, summary.rejected) == (3, 2)
    rejected = (tmp_path / "rej.csv").read_text(encoding="utf-8")
    assert "nope" in rejected and "no such record" in rejected
    # What was exported imports again.
    rows = [r for r in read_rows(io.StringIO(out.read_text()), "csv") if isinstance(r, Row)]
    assert [(r.from_id, r.to_id) for r in rows] == [("1", "10"), ("1", "11"), ("3", "12")]


def test_export_jsonl_and_resume(tmp_path: Path) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text("".join(f"{i}\n" for i in range(1, 6)), encoding="utf-8")
    reader = MemoryReader({str(i): [(str(100 + i), (("WORK", 1),))] for i in range(1, 6)})
    out = tmp_path / "out.jsonl"
    checkpoint = tmp_path / "ck"
    job = ExportJob(reader, "c", "d", ids, out, batch_size=2, checkpoint=checkpoint)
    job.progress = lambda done, total, summary: job.stop()
    assert job.run().interrupted
    summary = ExportJob(reader, "c", "d", ids, out, batch_size=2, checkpoint=checkpoint).run()
    assert summary.applied == 5 and not summary.interrupted
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["from_id"] for x in lines] == ["1", "2", "3", "4", "5"]
    assert lines[0] == {"from_id": "1", "to_id": "101", "types": ["WORK:1"]}
    assert reader.calls == [["1", "2"], ["3", "4"], ["5"]]


def test_export_to_stdout_cannot_checkpoint(tmp_path: Path) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text("1\n", encoding="utf-8")
    with pytest.raises(BulkError, match="output file"):
        ExportJob(MemoryReader({}), "c", "d", ids, None, checkpoint=tmp_path / "ck")
    buffer = io.StringIO()
    ExportJob(MemoryReader({"1": [("2", ())]}), "c", "d", ids, None, stdout=buffer).run()
    assert buffer.getvalue() == "from_id,to_id,types\n1,2,\n"
