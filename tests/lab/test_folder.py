"""One value for a snippet folder: made from texts, read from disk or from a payload.

`load_folder` (disk) and `Folder.from_payload` (the browser's data) both hand texts
to `Folder.from_texts`, so a folder and its payload hold the same claims, snippets
and verdicts; outcomes and problems carry their path and line as fields.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from sima_lab import Folder, FolderProblem, load_folder
from sima_lab.folder import PAYLOAD_BASE

FOLDERS = sorted(p for p in (ROOT / "snippets").iterdir() if p.is_dir())

CLAIMS = """\
[leaky]
claim = "bad"
says = "It leaks."
scenario = "leaks"
fails = ["leak"]
"""

SCENARIOS = """\
from sima_lab import Lab, Verdict


def leaks(lab: Lab) -> Verdict:
    records = [lab.invoke({"n": n}) for n in range(2)]
    return Verdict("looked", frozenset({"leak"}) if records[1].result == 2 else frozenset())
"""

LEAKY = "seen = []\n\n\ndef handler(event, context):\n    seen.append(1)\n    return len(seen)\n"


@pytest.mark.parametrize("path", FOLDERS, ids=[p.name for p in FOLDERS])
def test_a_payload_makes_the_same_folder(path: Path) -> None:
    folder = load_folder(path, root=ROOT)
    payload = folder.to_payload()
    again = Folder.from_payload(json.loads(json.dumps(payload)))
    assert again.to_payload() == payload
    assert (again.path, again.ref_id) == (folder.path, folder.ref_id)
    assert again.claims == folder.claims
    assert again.snippets == folder.snippets
    assert again.problems == folder.problems == []
    assert sorted(again.scenarios) == sorted(folder.scenarios)
    assert set(payload) == {"ref_id", "claims", "scenarios", "files"}  # what the worker sends


def test_reading_from_disk_is_reading_the_texts(tmp_path: Path) -> None:
    folder_path = tmp_path / "LESS-90"
    folder_path.mkdir()
    texts = {"claims.toml": CLAIMS, "scenarios.py": SCENARIOS, "leaky.py": LEAKY}
    for name, text in texts.items():
        (folder_path / name).write_text(text, encoding="utf-8")
    read = load_folder(folder_path, root=tmp_path)
    made = Folder.from_texts("LESS-90", texts)
    assert read.texts == made.texts == texts
    assert read.digest == made.digest
    assert read.claims == made.claims and read.snippets == made.snippets
    [outcome] = read.verify_all()
    assert outcome.status == "pass", outcome.message


def test_a_missing_file_and_an_unreadable_one_are_problems_with_a_path() -> None:
    folder = Folder.from_texts("snippets/X", {"claims.toml": CLAIMS, "leaky.py": None})
    assert (
        FolderProblem(
            "snippets/X/scenarios.py", 0, "missing: each snippet folder needs scenarios.py"
        )
        in folder.problems
    )
    assert folder.snippets == []  # unreadable: its claim has a file, but nothing to run
    assert "leaky" not in folder.to_payload()["files"]  # type: ignore[operator]


def test_an_outcome_carries_its_path_and_line_as_fields() -> None:
    payload = {
        "ref_id": "X",
        "claims": CLAIMS.replace('claim = "bad"', 'claim = "good"').replace(
            'fails = ["leak"]\n', ""
        ),
        "scenarios": SCENARIOS,
        "files": {"leaky": LEAKY},
    }
    outcome = Folder.from_payload(payload).verify("leaky")
    assert outcome.status == "fail"
    assert outcome.problem is not None
    assert (outcome.problem.path, outcome.problem.line) == (f"{PAYLOAD_BASE}/X/leaky.py", 4)
    assert outcome.message == str(outcome.problem)
    assert outcome.message.startswith(f"{PAYLOAD_BASE}/X/leaky.py:4: declared good")


def test_a_reader_edit_is_checked_against_the_folder() -> None:
    folder = Folder.from_texts("snippets/X", {"claims.toml": CLAIMS, "scenarios.py": SCENARIOS})
    fixed = "def handler(event, context):\n    return 1\n"
    assert folder.verify("leaky", fixed).observed == "good"
    with pytest.raises(KeyError):
        folder.verify("leaky")  # no file, and no edit to run instead
