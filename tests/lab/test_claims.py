"""claims.toml, scenarios.py and snippet folders: every problem is a value."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sima_lab import (
    Claim,
    FolderProblem,
    LoadError,
    check_claims,
    load_claims,
    load_folder,
    load_scenarios,
    parse_claims,
)

SCENARIOS = textwrap.dedent(
    """\
    from sima_lab import Lab, Verdict


    def leaks(lab: Lab) -> Verdict:
        second = [lab.invoke("alice"), lab.invoke("bob")][1]
        leaked = {"leak"} if "alice" in repr(second.result) else set()
        return Verdict(f"bob got {second.result}", leaked)


    def other(lab: Lab) -> Verdict:
        return Verdict("nothing checked")
    """
)
BAD = "SEEN = []\n\ndef handler(event, context):\n    SEEN.append(event)\n    return SEEN\n"
GOOD = "def handler(event, context):\n    return [event]\n"
CLAIMS = textwrap.dedent(
    """\
    [bad_one]
    claim = "bad"
    says = "Leaks."
    scenario = "leaks"
    fails = ["leak"]
    [good_one]
    claim = "good"
    says = "Does not leak."
    scenario = "leaks"
    fixes = "bad_one"
    """
)


def make_folder(root: Path, files: dict[str, str | bytes]) -> Path:
    folder = root / "snippets" / "T-1"
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def problems_of(tmp_path: Path, **files: str | bytes) -> list[str]:
    base: dict[str, str | bytes] = {
        "claims.toml": CLAIMS,
        "scenarios.py": SCENARIOS,
        "bad_one.py": BAD,
        "good_one.py": GOOD,
    }
    base.update({name.replace("__", "."): text for name, text in files.items()})
    folder = make_folder(tmp_path, {k: v for k, v in base.items() if v != ""})
    return [str(p) for p in load_folder(folder, root=tmp_path).problems]


def test_a_sound_folder_loads_and_verifies(tmp_path: Path) -> None:
    folder = load_folder(
        make_folder(
            tmp_path,
            {
                "claims.toml": CLAIMS,
                "scenarios.py": SCENARIOS,
                "bad_one.py": BAD,
                "good_one.py": GOOD,
            },
        ),
        root=tmp_path,
    )
    assert folder.problems == []
    assert (folder.path, folder.ref_id) == ("snippets/T-1", "T-1")
    assert [s.key for s in folder.snippets] == ["T-1/bad_one", "T-1/good_one"]
    assert folder.snippet("good_one").path == "snippets/T-1/good_one.py"
    assert sorted(folder.scenarios) == ["leaks", "other"]
    bad = folder.claims["bad_one"]
    assert (bad.claim, bad.says, bad.scenario, bad.fixes, bad.line) == (
        "bad",
        "Leaks.",
        "leaks",
        None,
        1,
    )
    assert folder.claims["good_one"].fixes == "bad_one"
    assert folder.claims["good_one"].line_of("fixes") == 10
    outcomes = folder.verify_all()
    assert [(o.name, o.status, o.observed) for o in outcomes] == [
        ("bad_one", "pass", "bad"),
        ("good_one", "pass", "good"),
    ]


def test_syntax_error_in_a_snippet(tmp_path: Path) -> None:
    found = problems_of(tmp_path, bad_one__py="SEEN = [\n\ndef handler(event, context):\n")
    assert len(found) == 1
    assert found[0].startswith("snippets/T-1/bad_one.py:1: SyntaxError: ")


def test_snippet_file_without_a_claim(tmp_path: Path) -> None:
    assert problems_of(tmp_path, extra__py=GOOD) == [
        "snippets/T-1/extra.py: no claim for 'extra': add a [extra] table to claims.toml"
    ]


def test_claim_without_a_file(tmp_path: Path) -> None:
    assert problems_of(
        tmp_path,
        claims__toml=CLAIMS + '\n[ghost]\nclaim = "good"\nsays = "x"\nscenario = "other"\n',
    ) == ["snippets/T-1/claims.toml:12: [ghost] has no snippet file ghost.py"]


def test_unknown_claim_value(tmp_path: Path) -> None:
    text = CLAIMS.replace('claim = "bad"', 'claim = "terrible"')
    assert problems_of(tmp_path, claims__toml=text) == [
        "snippets/T-1/claims.toml:2: [bad_one] claim must be 'good', 'bad' or 'unproven', "
        "not 'terrible'",
        "snippets/T-1/claims.toml:10: [good_one] fixes 'bad_one', which is claimed 'terrible': "
        "a fix must name a bad snippet",
    ]


def test_unknown_scenario(tmp_path: Path) -> None:
    text = CLAIMS.replace('scenario = "leaks"', 'scenario = "lekas"', 1)
    found = problems_of(tmp_path, claims__toml=text)
    assert (
        "snippets/T-1/claims.toml:4: [bad_one] scenario 'lekas' is not a function in "
        "scenarios.py (defined: leaks, other)" in found
    )


def test_fixes_naming_a_missing_snippet(tmp_path: Path) -> None:
    text = CLAIMS.replace('fixes = "bad_one"', 'fixes = "bad_two"')
    assert problems_of(tmp_path, claims__toml=text) == [
        "snippets/T-1/claims.toml:10: [good_one] fixes 'bad_two', which has no claim"
    ]


def test_fixes_naming_a_snippet_under_another_scenario(tmp_path: Path) -> None:
    text = CLAIMS.replace('scenario = "leaks"\nfixes', 'scenario = "other"\nfixes')
    assert problems_of(tmp_path, claims__toml=text) == [
        "snippets/T-1/claims.toml:10: [good_one] fixes 'bad_one' but is checked by scenario "
        "'other', and 'bad_one' by 'leaks': a fix must use the same scenario"
    ]


def test_good_bad_pair_mismatch(tmp_path: Path) -> None:
    both_good = CLAIMS.replace('claim = "bad"', 'claim = "good"').replace('fails = ["leak"]', "")
    assert problems_of(tmp_path, claims__toml=both_good) == [
        "snippets/T-1/claims.toml:10: [good_one] fixes 'bad_one', which is claimed 'good': "
        "a fix must name a bad snippet"
    ]
    bad_fixes = CLAIMS.replace('says = "Leaks."', 'says = "Leaks."\nfixes = "good_one"')
    assert problems_of(tmp_path / "b", claims__toml=bad_fixes) == [
        "snippets/T-1/claims.toml:4: [bad_one] is bad, so it cannot fix 'good_one': "
        "only good ones fix"
    ]


def test_table_problems(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        stray = 1

        [bad_one]
        claim = "good"
        senario = "leaks"
        says = ""

        [good_one]
        claim = "good"
        says = 3
        scenario = "leaks"
        modules = "core"
        """
    )
    assert problems_of(tmp_path, claims__toml=text) == [
        "snippets/T-1/claims.toml:1: 'stray' is not a table: write [stray] with its keys",
        "snippets/T-1/claims.toml:3: [bad_one] is missing 'scenario'",
        "snippets/T-1/claims.toml:5: [bad_one] has unknown key 'senario' "
        "(known: claim, says, scenario, fails, fixes, modules)",
        "snippets/T-1/claims.toml:6: [bad_one] says is empty",
        "snippets/T-1/claims.toml:10: [good_one] says must be a string",
        "snippets/T-1/claims.toml:12: [good_one] modules must be a list of names",
    ]


def test_invalid_toml_names_its_line(tmp_path: Path) -> None:
    found = problems_of(tmp_path, claims__toml='[bad_one]\nclaim = "bad\n')
    assert found[0] == (
        "snippets/T-1/bad_one.py: no claim for 'bad_one': add a [bad_one] table to claims.toml"
    )
    assert found[1].startswith("snippets/T-1/claims.toml:2: invalid TOML: ")
    assert found[2:] == [
        "snippets/T-1/good_one.py: no claim for 'good_one': add a [good_one] table to claims.toml",
    ]


def test_missing_files_and_broken_scenarios(tmp_path: Path) -> None:
    found = problems_of(tmp_path, claims__toml="", scenarios__py="")
    assert found[:1] == [
        "snippets/T-1/bad_one.py: no claim for 'bad_one': add a [bad_one] table to claims.toml"
    ]
    assert "snippets/T-1/claims.toml: missing: each snippet folder needs claims.toml" in found
    assert "snippets/T-1/scenarios.py: missing: each snippet folder needs scenarios.py" in found
    raising = SCENARIOS + "\nVALUE = 1 / 0\n"
    assert problems_of(tmp_path / "r", scenarios__py=raising) == [
        "snippets/T-1/scenarios.py:13: scenarios.py raised ZeroDivisionError: division by zero"
    ]
    broken = problems_of(tmp_path / "s", scenarios__py="def leaks(lab:\n")
    assert len(broken) == 1
    assert broken[0].startswith("snippets/T-1/scenarios.py:1: SyntaxError: ")


def test_not_utf8_and_bad_module_name(tmp_path: Path) -> None:
    found = problems_of(tmp_path, good_one__py=b"x = '\xff'\n")
    assert found == ["snippets/T-1/good_one.py: not UTF-8: invalid start byte at byte 5"]
    claims = CLAIMS + '\n[my-snippet]\nclaim = "good"\nsays = "x"\nscenario = "other"\n'
    found = problems_of(tmp_path / "m", claims__toml=claims, **{"my-snippet.py": GOOD})
    assert found == [
        "snippets/T-1/my-snippet.py: 'my-snippet' is not a usable module name (use letters, "
        "digits, _)"
    ]


def test_helper_modules_need_no_claim(tmp_path: Path) -> None:
    claims = (
        CLAIMS + '\n[layered]\nclaim = "good"\nsays = "x"\nscenario = "leaks"\n'
        'modules = ["core", "missing"]\n'
    )
    uses_core = "import core\n\ndef handler(event, context):\n    return core.VALUE\n"
    folder_path = make_folder(
        tmp_path,
        {
            "claims.toml": claims,
            "scenarios.py": SCENARIOS,
            "bad_one.py": BAD,
            "good_one.py": GOOD,
            "layered.py": uses_core,
            "core.py": "VALUE = 42\n",
        },
    )
    folder = load_folder(folder_path)
    assert [str(p) for p in folder.problems] == [
        f"{folder_path.as_posix()}/claims.toml:16: [layered] module 'missing' has no file "
        "missing.py"
    ]
    assert [s.name for s in folder.snippets] == ["bad_one", "good_one", "layered"]
    assert folder.snippet("layered").modules == {"core": "VALUE = 42\n"}
    assert folder.verify("layered").trace[0].result == 42


def test_text_loaders() -> None:
    claims = load_claims(CLAIMS, "c.toml")
    assert [c.name for c in claims] == ["bad_one", "good_one"]
    assert claims[1] == Claim(
        name="good_one",
        claim="good",
        says="Does not leak.",
        scenario="leaks",
        fixes="bad_one",
        line=6,
        filename="c.toml",
        key_lines=(("claim", 7), ("fixes", 10), ("says", 8), ("scenario", 9)),
    )
    with pytest.raises(LoadError) as info:
        load_claims('[x]\nclaim = "meh"\nsays = "s"\nscenario = "y"\n', "c.toml")
    assert info.value.problems == [
        FolderProblem("c.toml", 2, "[x] claim must be 'good', 'bad' or 'unproven', not 'meh'")
    ]
    parsed, problems = parse_claims('["quoted name"]\nclaim = "good"\nsays = "s"\nscenario = "y"\n')
    assert (parsed[0].name, parsed[0].line, problems) == ("quoted name", 1, [])
    scenarios = load_scenarios(SCENARIOS + "\n\ndef _helper(lab):\n    pass\n", "s.py")
    assert sorted(scenarios) == ["leaks", "other"]  # no imports, no private helpers
    with pytest.raises(LoadError, match=r"s\.py:1: SyntaxError"):
        load_scenarios("def (", "s.py")


def test_check_claims_on_plain_data() -> None:
    claims = [
        Claim(name="a", claim="bad", says="s", scenario="one", line=1),
        Claim(name="b", claim="good", says="s", scenario="one", fixes="a", line=5),
    ]
    assert check_claims(claims, snippets=["a", "b"], scenarios=["one"]) == []
    assert [str(p) for p in check_claims(claims, snippets=["a", "c"], scenarios=None)] == [
        "c.py: no claim for 'c': add a [c] table to claims.toml",
        "claims.toml:5: [b] has no snippet file b.py",
    ]
    assert str(FolderProblem("x.py", 0, "m")) == "x.py: m"


def test_a_bad_claim_must_say_what_fails(tmp_path: Path) -> None:
    text = CLAIMS.replace('fails = ["leak"]\n', "\n")
    assert problems_of(tmp_path, claims__toml=text) == [
        "snippets/T-1/claims.toml:1: [bad_one] is bad but does not say what fails: "
        'add fails = ["..."] with the failures its scenario observes'
    ]


def test_what_fails_is_a_list_of_names_on_a_bad_claim_only(tmp_path: Path) -> None:
    text = CLAIMS.replace('fails = ["leak"]', 'fails = ["Leak!", "error:KeyError"]').replace(
        'fixes = "bad_one"', 'fixes = "bad_one"\nfails = "leak"'
    )
    assert problems_of(tmp_path, claims__toml=text) == [
        "snippets/T-1/claims.toml:5: [bad_one] failure 'Leak!' is not a name: kebab-case "
        "words (stale-config) or error:<Type> (error:KeyError)",
        "snippets/T-1/claims.toml:11: [good_one] is good, so nothing fails: remove fails, "
        "or claim bad",
    ]
    one = CLAIMS.replace('fails = ["leak"]', 'fails = "leak"')
    claims, problems = parse_claims(one)
    assert problems == [] and claims[0].fails == ("leak",)


UNPROVEN = (
    '[imported]\nclaim = "unproven"\nsays = "Module-level state, as the old text showed it."\n'
)


def test_an_unproven_claim_needs_only_says_and_no_scenarios_file(tmp_path: Path) -> None:
    folder = load_folder(
        make_folder(tmp_path, {"claims.toml": UNPROVEN, "imported.py": BAD}), root=tmp_path
    )
    assert folder.problems == []
    claim = folder.claims["imported"]
    assert (claim.claim, claim.proven, claim.scenario) == ("unproven", False, "")
    assert folder.verify_all() == []  # nothing to check
    outcome = folder.verify("imported")  # asked all the same: an error, not a verdict
    assert (outcome.status, outcome.observed) == ("error", None)
    assert "is unproven: no scenario checks it" in outcome.message


def test_unproven_claims_beside_proven_ones(tmp_path: Path) -> None:
    assert problems_of(tmp_path, claims__toml=CLAIMS + UNPROVEN, imported__py=GOOD) == []
    assert problems_of(tmp_path / "x", claims__toml=CLAIMS + UNPROVEN, scenarios__py="") == [
        "snippets/T-1/claims.toml:11: [imported] has no snippet file imported.py",
        "snippets/T-1/scenarios.py: missing: each snippet folder needs scenarios.py",
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'scenario = "leaks"\n',
            "[imported] is unproven, so it has no scenario: claim it good or bad to prove it "
            "with a scenario",
        ),
        ('fails = ["leak"]\n', "[imported] is unproven, so it has no fails"),
        ('fixes = "bad_one"\n', "[imported] is unproven, so it has no fixes"),
    ],
)
def test_an_unproven_claim_has_no_scenario_failures_or_fix(
    tmp_path: Path, extra: str, message: str
) -> None:
    found = problems_of(tmp_path, claims__toml=CLAIMS + UNPROVEN + extra, imported__py=GOOD)
    assert any(
        message in line and line.startswith("snippets/T-1/claims.toml:14:") for line in found
    ), found


def test_an_unproven_claim_must_say_something(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path, claims__toml='[imported]\nclaim = "unproven"\n', imported__py=GOOD
    )
    assert "snippets/T-1/claims.toml:1: [imported] is missing 'says'" in found
