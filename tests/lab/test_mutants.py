"""Mutants: broken variants of each snippet, which its claim must reject."""

from __future__ import annotations

import textwrap

import pytest

from conftest import ROOT
from sima.content.settings import load_settings
from sima.proofs.prover import snippet_folders
from sima_lab import Claim, load_folder, load_scenarios
from sima_lab.mutants import KINDS, folder_trials, mutants, targets, trials

SCENARIOS = textwrap.dedent(
    """\
    from sima_lab import Lab, Verdict
    from sima_lab.answers import judge, same, unexpected_errors, wrong_answers


    def strict(lab: Lab) -> Verdict:
        records = [lab.invoke({"n": n}) for n in (1, 2)]
        return judge(
            "two requests",
            unexpected_errors(records),
            wrong_answer=wrong_answers(
                records, lambda r: same(r.result, r.event["n"] + 1), lambda r: "n + 1"
            ),
        )


    def lenient(lab: Lab) -> Verdict:
        lab.invoke({"n": 1})
        return judge("looked at nothing")
    """
)
ADDER = "def handler(event, context):\n    return event['n'] + 1\n"
ALWAYS_RAISES = "def handler(event, context):\n    raise ValueError('no')\n"
FILE = "snippets/T/adder.py"


def claim(scenario: str, declared: str = "good", fails: tuple[str, ...] = ()) -> Claim:
    return Claim(name="adder", claim=declared, says="Adds one.", scenario=scenario, fails=fails)


def test_one_variant_per_kind_each_keeping_the_original_lines() -> None:
    found = mutants(ADDER)
    assert [m.kind for m in found] == list(KINDS)
    for mutant in found:
        assert mutant.source.startswith(ADDER)  # appended: every line keeps its number
        compile(mutant.source, FILE, "exec")
    assert found[0].describe == "handler raises an unrelated error before doing anything"


def test_the_variants_change_the_handler_else_every_public_function() -> None:
    assert targets(ADDER) == ("handler",)
    library = (
        "def get(key):\n    return key\n\ndef _private():\n    pass\n\ndef put(k, v):\n    pass\n"
    )
    assert targets(library) == ("get", "put")
    assert targets("def broken(:\n") == ()
    assert [m.kind for m in mutants("def broken(:\n")] == ["init-fails"]


def test_a_strict_scenario_rejects_every_variant() -> None:
    scenarios = load_scenarios(SCENARIOS, "snippets/T/scenarios.py")
    found = trials(ADDER, claim("strict"), scenarios, filename=FILE)
    assert [t.rejected for t in found] == [True] * len(KINDS)
    assert all(t.outcome.status == "fail" for t in found)
    assert found[0].format(FILE) == (
        f"{FILE}: mutant raises (handler raises an unrelated error before doing anything): rejected"
    )
    assert "error:UnrelatedError" in found[0].outcome.observed_failures


def test_a_scenario_that_checks_nothing_lets_the_variants_survive() -> None:
    scenarios = load_scenarios(SCENARIOS, "snippets/T/scenarios.py")
    found = trials(ADDER, claim("lenient"), scenarios, filename=FILE)
    assert not any(t.rejected for t in found)
    line = found[1].format(FILE)
    assert line.startswith(f"{FILE}: mutant does-nothing (handler returns None")
    assert "SURVIVED: the claim still holds, so its scenario cannot tell" in line


def test_a_variant_that_behaves_as_the_snippet_is_equivalent_not_a_survivor() -> None:
    scenarios = load_scenarios(SCENARIOS, "snippets/T/scenarios.py")
    bad = claim("strict", "bad", ("error:ValueError",))
    found = {t.mutant.kind: t for t in trials(ALWAYS_RAISES, bad, scenarios, filename=FILE)}
    # The handler raises before its work is done, so dropping its answer or failing
    # after its work changes nothing anyone could see.
    assert found["drops-answer"].equivalent and found["fails-after"].equivalent
    assert "equivalent" in found["drops-answer"].format(FILE)
    assert found["raises"].outcome.status == "fail" and not found["raises"].equivalent


def folders() -> list[str]:
    return [p.name for p in snippet_folders(load_settings(ROOT / "mkdocs.yml"))]


@pytest.mark.parametrize("ref_id", folders())
def test_every_variant_of_the_projects_snippets_is_rejected(ref_id: str) -> None:
    folder = load_folder(ROOT / "snippets" / ref_id, root=ROOT)
    tried = folder_trials(folder)
    survivors = [
        t.format(folder.snippet(name).path)
        for name, found in tried.items()
        for t in found
        if not t.rejected
    ]
    assert survivors == []
    assert sum(len(found) for found in tried.values()) >= 4 * len(folder.snippets)
