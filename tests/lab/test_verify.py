"""verify(): pass, fail with path:line, and every way a check can fail to run."""

from __future__ import annotations

import textwrap

from sima_lab import Claim, Lab, Verdict, format_outcome, load_scenarios, verify

SCENARIOS = textwrap.dedent(
    """\
    from sima_lab import Lab, Verdict
    from sima_lab.answers import judge, unexpected_errors


    def leaks(lab: Lab) -> Verdict:
        first = lab.invoke({"user": "alice"})
        second = lab.invoke({"user": "bob"})
        leaked = "alice" in repr(second.result)
        return judge(
            f"bob saw alice: {leaked}", unexpected_errors([first, second]), leak=leaked
        )


    def crashes(lab: Lab) -> Verdict:
        lab.invoke({"user": "alice"})
        return {}["nothing"]


    def forgets(lab: Lab) -> Verdict:
        lab.invoke({"user": "alice"})


    def cheats(lab: Lab) -> Verdict:
        return Verdict(True, frozenset())
    """
)
SCENARIO_FILE = "snippets/T/scenarios.py"
LEAKY = textwrap.dedent(
    """\
    SEEN = []


    def handler(event, context):
        SEEN.append(event["user"])
        return SEEN
    """
)
CLEAN = "def handler(event, context):\n    return [event['user']]\n"
FILE = "snippets/T/leaky.py"


def claim(declared: str, scenario: str = "leaks", fails: tuple[str, ...] | None = None) -> Claim:
    return Claim(
        name="leaky",
        claim=declared,
        says="x",
        scenario=scenario,
        fails=(("leak",) if declared == "bad" else ()) if fails is None else fails,
        line=4,
        filename="snippets/T/claims.toml",
        key_lines=(("claim", 5), ("scenario", 7)),
    )


def run(source: str, declared: str, scenario: str = "leaks") -> object:
    scenarios = load_scenarios(SCENARIOS, SCENARIO_FILE)
    return verify(source, claim(declared, scenario), scenarios, filename=FILE)


def test_a_true_claim_passes() -> None:
    outcome = verify(LEAKY, claim("bad"), load_scenarios(SCENARIOS, SCENARIO_FILE), filename=FILE)
    assert (outcome.status, outcome.declared, outcome.observed, outcome.holds) == (
        "pass",
        "bad",
        "bad",
        True,
    )
    assert outcome.message == ""
    assert outcome.verdict == Verdict("bob saw alice: True", frozenset({"leak"}))
    assert [r.result for r in outcome.trace] == [["alice"], ["alice", "bob"]]
    text = format_outcome(outcome)
    assert text.splitlines()[0].startswith("#  container")
    assert text.endswith(
        "verdict: observed bad (leak), declared bad (leak): the claim holds.\n  bob saw alice: True"
    )


def test_a_mislabelled_snippet_fails_with_path_and_line() -> None:
    outcome = verify(LEAKY, claim("good"), load_scenarios(SCENARIOS, SCENARIO_FILE), filename=FILE)
    assert (outcome.status, outcome.observed, outcome.holds) == ("fail", "bad", False)
    assert outcome.message == (
        "snippets/T/leaky.py:4: declared good, but the check observed bad (leak): "
        "bob saw alice: True"
    )
    assert format_outcome(outcome).endswith(
        "the claim does NOT hold.\n  bob saw alice: True\nfail: " + outcome.message
    )
    clean = verify(CLEAN, claim("bad"), load_scenarios(SCENARIOS, SCENARIO_FILE), filename=FILE)
    assert clean.status == "fail"
    assert clean.message.startswith(
        "snippets/T/leaky.py:1: declared bad (leak), but the check observed good"
    )


def test_a_failing_handler_blames_the_line_of_the_error() -> None:
    broken = "def handler(event, context):\n    x = 1\n    return event['nope']\n"
    outcome = verify(broken, claim("good"), load_scenarios(SCENARIOS, SCENARIO_FILE), filename=FILE)
    assert outcome.status == "fail"
    assert outcome.message.startswith("snippets/T/leaky.py:3: declared good")


def test_a_scenario_that_raises_is_an_error_with_its_file_and_line() -> None:
    outcome = verify(
        LEAKY, claim("bad", "crashes"), load_scenarios(SCENARIOS, SCENARIO_FILE), filename=FILE
    )
    assert (outcome.status, outcome.observed, outcome.holds) == ("error", None, False)
    assert outcome.message == (
        "snippets/T/scenarios.py:16: scenario crashes() raised KeyError: 'nothing'"
    )
    assert len(outcome.trace) == 1
    assert format_outcome(outcome).endswith("error: " + outcome.message)


def test_a_scenario_without_a_verdict_never_ran() -> None:
    scenarios = load_scenarios(SCENARIOS, SCENARIO_FILE)
    outcome = verify(LEAKY, claim("bad", "forgets"), scenarios, filename=FILE)
    assert outcome.status == "error"
    assert outcome.message == (
        "snippets/T/scenarios.py:19: scenario forgets() returned NoneType, not a "
        "Verdict(observed, failures): the check never ran"
    )
    cheat = verify(LEAKY, claim("bad", "cheats"), scenarios, filename=FILE)
    assert cheat.status == "error"
    assert "returned Verdict, not a Verdict(observed, failures)" in cheat.message


def test_unknown_scenario_and_claim_value_are_errors() -> None:
    scenarios = load_scenarios(SCENARIOS, SCENARIO_FILE)
    unknown = verify(LEAKY, claim("bad", "nope"), scenarios, filename=FILE)
    assert unknown.status == "error"
    assert unknown.message == (
        "snippets/T/claims.toml:7: unknown scenario 'nope' "
        "(scenarios.py defines: cheats, crashes, forgets, leaks)"
    )
    odd = verify(LEAKY, claim("fine"), scenarios, filename=FILE)
    assert odd.message == "snippets/T/claims.toml:5: claim must be 'good' or 'bad', not 'fine'"


def test_a_syntax_error_in_the_snippet_is_an_error_with_its_line() -> None:
    outcome = verify(
        "def handler(event, context):\n    return (\n",
        claim("bad"),
        load_scenarios(SCENARIOS, SCENARIO_FILE),
        filename=FILE,
    )
    assert outcome.status == "error"
    assert outcome.message.startswith("snippets/T/leaky.py:2: SyntaxError: ")


def test_verify_takes_other_modules_and_uses_a_fresh_lab_each_time() -> None:
    seen: list[Lab] = []

    def counts(lab: Lab) -> Verdict:
        seen.append(lab)
        return Verdict("ok", frozenset() if lab.invoke().result == 1 else {"wrong-answer"})

    source = "import helper\ndef handler(event, context):\n    return helper.bump()\n"
    helper = "N = 0\ndef bump():\n    global N\n    N += 1\n    return N\n"
    for _ in range(2):
        outcome = verify(
            source,
            Claim(name="uses", claim="good", says="s", scenario="counts"),
            {"counts": counts},
            filename="snippets/T/uses.py",
            modules={"helper": helper},
        )
        assert outcome.status == "pass"
    assert seen[0] is not seen[1]
