"""Scenarios for LESS-29: run a module's own tests, then check what its code does.

Each snippet is a module with the code under test, its `test_*` functions, and a
handler that calls one of its functions by name (`{"call": "test_x"}`), standing in
for a test runner. A scenario

1. reads the source with `ast` to list the tests it defines, and the module's
   namespace (after the cold start) to list the tests a runner would collect;
2. runs every collected test, one invocation each: a test passes when it returns
   without an error;
3. calls the code under test itself, as an integration test would: only the cloud
   service is replaced, by the lab's fakes.

The verdict is good when the suite is green, every test it defines runs, and the
code does what the scenario expects; the sentence says which of these failed. A
handler that returns None or a constant, or raises, is judged bad and never makes
the scenario crash. Everything here is deterministic: no timings.

Each verdict names what went wrong, so that a bad claim's `fails` can say which
failure its snippet shows. Every scenario names these, of the suite and of the code
under test:

- `test-fails`: a collected test raised, so the suite is red. An `AssertionError`
  raised by a test is how a test fails, so it is expected; any other error is also
  named `error:<Type>` (except where a scenario's docstring says it expects it);
- `shadowed-test`: the source defines a test name twice, so only the last
  definition exists to run;
- `no-test-ran`: the runner collected no test (none defined, or the module did not
  load);
- `bug-passes-suite`: the code under test answered a call wrong (each scenario
  names how, in its docstring), and every test the runner collected passed;

and the shared ones (see `sima_lab.answers`): `wrong-answer` (the handler did not
answer `{name: result}` for the function it was asked to call), `skipped-work` and
`error:<Type>` (an error nobody expects, such as any error from the code under test).
Each scenario's docstring names the failures of its own.
"""

import ast
import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import (
    answer,
    error_of,
    judge,
    keys_of,
    plain_int,
    same,
    shown,
    skipped,
    unexpected_errors,
    wrong_answers,
)

# -- helpers ------------------------------------------------------------------------------


def _error(record: Invocation) -> str:
    """'AssertionError at line 20: expected ValueError...' for a failed invocation.

    Unlike `sima_lab.answers.error_of`, this includes the error's message: for a
    failing test, the message (the assertion's text, the name that is not defined)
    is what says why it failed, and the page shows it.
    """
    said = record.error.message if record.error is not None else ""
    return error_of(record) + (f": {shown(said, 70)[1:-1]}" if said else "")


def _called(record: Invocation, name: str) -> tuple[bool, Any]:
    """(True, value) when the handler answered `{name: value}`, else (False, None).

    `sima_lab.answers.answer` cannot tell a test's `{name: None}` from no answer at
    all, so this reads the shape of the answer itself (defensively: a reader's
    handler can return a mapping whose methods raise).
    """
    result = record.result
    if not record.ok or keys_of(result) != frozenset({name}):
        return False, None
    try:
        return True, result[name]
    except Exception:
        return False, None


def _answers_its_call(record: Invocation) -> bool:
    return _called(record, record.event["call"])[0]


def _source_tests(source: str) -> list[tuple[str, int]]:
    """The test functions the source defines at module level: (name, line), in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        (node.name, node.lineno)
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    ]


def _duplicates(defined: list[tuple[str, int]]) -> dict[str, list[int]]:
    """Names defined more than once, with the lines of each definition."""
    lines: dict[str, list[int]] = {}
    for name, line in defined:
        lines.setdefault(name, []).append(line)
    return {name: at for name, at in lines.items() if len(at) > 1}


def _undefined_names(source: str) -> dict[str, int]:
    """Names the code reads but never binds anywhere (what a linter reports as F821).

    A simple, whole-module view: a name bound anywhere counts as bound everywhere,
    so this finds fewer problems than a linter, never more.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    bound = set(dir(builtins)) | {"__name__", "__file__", "__doc__", "__spec__"}
    used: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                used.setdefault(node.id, node.lineno)
            else:
                bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
    return {name: line for name, line in sorted(used.items()) if name not in bound}


@dataclass
class Suite:
    """What running a module's tests showed.

    Attributes:
        defined: Tests the source defines, (name, line), in order.
        records: Every invocation the run made (one per test).
        collected: Test functions in the module's namespace: what a runner runs.
        passed: Tests that returned without an error.
        failed: Tests that raised, with why.
        unreported: Tests whose invocation ended without an error but did not answer
            `{name: result}`: the handler never said what the test did.
    """

    defined: list[tuple[str, int]]
    records: list[Invocation] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unreported: list[str] = field(default_factory=list)

    @property
    def passes(self) -> bool:
        """What a runner reports: at least one test, and every collected test passed."""
        return bool(self.collected) and not self.failed and not self.unreported

    @property
    def green(self) -> bool:
        """The suite passes, and each test the source defines ran."""
        return self.passes and not _duplicates(self.defined)

    def summary(self) -> str:
        """'the suite ran 2 tests: 1 passed, 1 failed (test_x: NameError at line 9)'."""
        if not self.collected:
            return f"the suite ran no test ({len(self.defined)} defined in the source)"
        text = (
            f"the suite ran {len(self.collected)} test{'s' if len(self.collected) > 1 else ''}: "
            f"{len(self.passed)} passed"
        )
        if self.failed:
            name, why = self.failed[0]
            text += f", {len(self.failed)} failed (first: {name}, {why})"
        if self.unreported:
            text += f", {len(self.unreported)} not reported by the handler"
        duplicates = _duplicates(self.defined)
        if duplicates:
            name, lines = next(iter(duplicates.items()))
            text += (
                f"; the source defines {len(self.defined)} tests, but {name} is defined at "
                f"lines {' and '.join(map(str, lines))}, and only the last one exists to run"
            )
        return text

    def failures(self) -> dict[str, bool]:
        """The suite's failures, by keyword for `judge` (each told in `summary`)."""
        return {
            "test_fails": bool(self.failed),
            "shadowed_test": bool(_duplicates(self.defined)),
            "no_test_ran": not self.collected,
        }

    def ran(self, record: Invocation) -> bool:
        """True when the invocation is one of this suite's tests."""
        return any(r.number == record.number for r in self.records)

    def failed_its_assert(self, record: Invocation) -> bool:
        """True for a test's invocation that failed as a test fails: on an assertion."""
        return (
            self.ran(record)
            and record.error is not None
            and record.error.phase == "handler"
            and record.error.type == "AssertionError"
        )


def _namespace_tests(lab: Lab) -> list[str]:
    for container in reversed(lab.all_containers):
        names = container.globals()
        if names:
            return [n for n, v in names.items() if n.startswith("test") and callable(v)]
    return []


def run_suite(lab: Lab) -> Suite:
    """Run every test the module's namespace holds, one invocation each."""
    suite = Suite(_source_tests(lab.sources[lab.entry]))
    done: dict[str, Invocation] = {}
    if suite.defined:  # the first test's call is the cold start that loads the module
        first = suite.defined[0][0]
        done[first] = lab.invoke({"call": first})
        suite.records.append(done[first])
    suite.collected = _namespace_tests(lab)
    for name in suite.collected:
        record = done.get(name)
        if record is None:
            record = lab.invoke({"call": name})
            suite.records.append(record)
        answered, _ = _called(record, name)
        if answered:
            suite.passed.append(name)
        elif not record.ok:
            suite.failed.append((name, _error(record)))
        else:
            suite.unreported.append(name)
    return suite


@dataclass(frozen=True)
class Check:
    """One call of the code under test and what its answer must satisfy.

    Attributes:
        function: The function to call.
        args: Its arguments.
        accepts: Whether an answer is right (it may raise: then it is not).
        wanted: The right answer, in words.
        failure: The name of a wrong answer (`wrong-split`).
        diagnosis: For a wrong answer, the name of the known bug it shows, or None
            (then it is `failure`): `bad-input-accepted` for a 201 to a bad order.
    """

    function: str
    args: tuple[Any, ...]
    accepts: Callable[[Any], bool]
    wanted: str
    failure: str
    diagnosis: Callable[[Any], str | None] | None = None

    def name_wrong(self, value: Any) -> str:
        """The failure a wrong answer shows."""
        if self.diagnosis is None:
            return self.failure
        try:
            name = self.diagnosis(value)
        except Exception:
            return self.failure
        return name if isinstance(name, str) and name else self.failure

    def describe(self) -> str:
        return f"{self.function}({', '.join(shown(a, 30) for a in self.args)})"


@dataclass
class Checked:
    """What calling the code under test showed.

    Attributes:
        records: The invocations, one per call.
        wanted: By invocation number, the answer the handler should have given.
        problems: What went wrong, in order: a call that raised, or a wrong answer.
        bugs: The wrong answers alone, by the failure each shows (the first of each):
            the code under test is wrong.
    """

    records: list[Invocation] = field(default_factory=list)
    wanted: dict[int, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    bugs: dict[str, str] = field(default_factory=dict)

    @property
    def unanswered(self) -> int:
        """Calls that ended without an error and without `{function: value}`."""
        return sum(1 for r in self.records if r.ok and not _answers_its_call(r))

    def told(self) -> str:
        """'' when every call answered; else how many did (the details come after)."""
        if not self.unanswered:
            return ""
        answered = len(self.records) - self.unanswered
        return (
            f"the handler answered {answered} of {len(self.records)} calls of the code under test"
        )

    def failures(self, suite: Suite) -> dict[str, str | bool]:
        """Each wrong answer's failure, and `bug-passes-suite`, by keyword for `judge`.

        The sentence tells the first problem; the first wrong answer of any other
        failure is told here.
        """
        found: dict[str, str | bool] = {
            name.replace("-", "_"): True if text == self.problems[0] else text
            for name, text in self.bugs.items()
        }
        found["bug_passes_suite"] = bool(self.bugs) and suite.passes
        return found


def run_checks(lab: Lab, checks: list[Check], into: Checked | None = None) -> Checked:
    """Call each function, and say what went wrong (added to `into`, if given)."""
    checked = into if into is not None else Checked()
    for check in checks:
        record = lab.invoke({"call": check.function, "args": list(check.args)})
        checked.records.append(record)
        checked.wanted[record.number] = f"{{{check.function!r}: {check.wanted}}}"
        answered, value = _called(record, check.function)
        if not record.ok:
            checked.problems.append(f"{check.describe()} raised {_error(record)}")
        elif answered:
            try:
                right = bool(check.accepts(value))
            except Exception:
                right = False
            if not right:
                bug = f"{check.describe()} returned {shown(value)} instead of {check.wanted}"
                checked.problems.append(bug)
                checked.bugs.setdefault(check.name_wrong(value), bug)
    return checked


def _wrong(suite: Suite, checked: Checked) -> str:
    """The shared `wrong-answer`: invocations that did not answer `{name: result}`."""
    return wrong_answers(
        suite.records + checked.records,
        _answers_its_call,
        lambda r: checked.wanted.get(r.number, f"{{{r.event['call']!r}: its result}}"),
    )


def _verdict(
    observed: str,
    suite: Suite,
    checked: Checked,
    *,
    expected: Callable[[Invocation], bool] | None = None,
    **named: str | bool,
) -> Verdict:
    """The verdict every scenario gives: the suite's and the checks' failures, and its own.

    `expected` says which failed invocations, besides a test failing its assertion,
    the scenario observes (so they are not `error:<Type>`).
    """

    def foreseen(record: Invocation) -> bool:
        return suite.failed_its_assert(record) or (expected is not None and expected(record))

    return judge(
        observed,
        unexpected_errors(suite.records + checked.records, expected=foreseen),
        **suite.failures(),
        **checked.failures(suite),
        **named,
        wrong_answer=_wrong(suite, checked),
    )


def _response(value: Any, status: int, **fields: Any) -> bool:
    """True when `value` is a response with `statusCode` `status` and these fields."""
    return same(answer(value, "statusCode"), status) and all(
        same(answer(value, key), wanted) for key, wanted in fields.items()
    )


# -- scenarios ----------------------------------------------------------------------------


def expected_errors(lab: Lab) -> Verdict:
    """Tests must expect what the function really does with bad input.

    Failures: `bad-input-accepted` (create_order answered a bad quantity with a 201
    response: the validation is missing), `wrong-response` (any other wrong answer
    of create_order).
    """
    suite = run_suite(lab)
    checked = run_checks(
        lab,
        [
            Check(
                "create_order",
                ({"quantity": 2},),
                lambda v: _response(v, 201, quantity=2),
                "a 201 response for 2",
                "wrong-response",
            ),
            *(
                Check(
                    "create_order",
                    ({"quantity": bad},),
                    lambda v: _response(v, 400),
                    "a 400 response",
                    "wrong-response",
                    lambda v: "bad-input-accepted" if _response(v, 201) else None,
                )
                for bad in (-1, "2")
            ),
        ],
    )
    observed = suite.summary()
    if checked.problems:
        observed += f"; but {checked.problems[0]}"
        if suite.green:
            observed += ": the tests passed without checking it"
    elif checked.unanswered:
        observed += f"; {checked.told()}"
    else:
        observed += "; create_order answered 201 for a good order and 400 for bad ones"
        if suite.failed:
            observed += ", as designed: the test, not the code, is wrong"
    return _verdict(observed, suite, checked)


def imported_names(lab: Lab) -> Verdict:
    """Every name a test uses must be imported or defined in its module.

    A test that fails with `NameError` for a name the source never binds is expected:
    that is what this scenario observes.

    Failures: `undefined-name` (the source reads a name it never imports or assigns),
    `wrong-row-count` (report_rows answered a wrong number of rows), `skipped-work`
    (report_rows never read the report from the object store).
    """
    undefined = _undefined_names(lab.sources[lab.entry])
    suite = run_suite(lab)
    lab.objects.put("reports/today.json", '{"rows": [1, 2]}')
    checked = run_checks(
        lab,
        [
            Check(
                "report_rows",
                ("reports/today.json",),
                lambda v: same(v, 2),
                "2 rows",
                "wrong-row-count",
            )
        ],
    )
    observed = suite.summary()
    if undefined:
        name, line = next(iter(undefined.items()))
        observed += (
            f"; the source reads {name} (first at line {line}) and never imports or assigns it"
        )
    if checked.problems:
        observed += f"; {checked.problems[0]}"
    elif checked.unanswered:
        observed += f"; {checked.told()}"
    else:
        observed += "; report_rows read 2 rows from the lab's object store"
        if suite.failed or _duplicates(suite.defined):
            observed += ": the code works, the tests are broken"

    def undefined_in_test(record: Invocation) -> bool:
        error = record.error
        return (
            suite.ran(record)
            and error is not None
            and error.type == "NameError"
            and any(f"'{name}'" in error.message for name in undefined)
        )

    return _verdict(
        observed,
        suite,
        checked,
        expected=undefined_in_test,
        undefined_name=bool(undefined),
        skipped_work=skipped(
            checked.records, "objects.get", "read the report from the object store"
        ),
    )


def _cents(value: Any) -> bool:
    """True for a list of whole cents (plain ints)."""
    return isinstance(value, list) and all(plain_int(v) is not None for v in value)


def _lost_cents(value: Any) -> str | None:
    """`lost-cents` for shares in whole cents that add up to less than the bill of 100."""
    return "lost-cents" if _cents(value) and sum(value) < 100 else None


def _fair_split(value: Any, total: int, people: int) -> bool:
    return (
        _cents(value)
        and len(value) == people
        and sum(value) == total
        and max(value) - min(value) <= 1
    )


def unique_names(lab: Lab) -> Verdict:
    """Each test needs its own name, or a later one silently replaces it.

    Failures: `lost-cents` (split_bill's shares, whole cents, add up to less than the
    bill), `wrong-split` (any other wrong answer of split_bill).
    """
    suite = run_suite(lab)
    checked = run_checks(
        lab,
        [
            Check(
                "split_bill",
                (100, 3),
                lambda v: _fair_split(v, 100, 3),
                "3 shares of 100",
                "wrong-split",
                _lost_cents,
            ),
            Check(
                "split_bill",
                (100, 4),
                lambda v: isinstance(v, list) and len(v) == 4 and all(same(s, 25) for s in v),
                "[25, 25, 25, 25]",
                "wrong-split",
                _lost_cents,
            ),
        ],
    )
    observed = suite.summary()
    if checked.problems:
        observed += f"; {checked.problems[0]}"
        if suite.passes:
            observed += ", and the suite passed"
    elif checked.unanswered:
        observed += f"; {checked.told()}"
    else:
        observed += "; split_bill kept every cent: 100 for 3 and 100 for 4"
    return _verdict(observed, suite, checked)


def _error_path_tests(source: str, tests: list[str]) -> list[str]:
    """Tests whose code mentions ParameterNotFound: the ones that take the failure path."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in tests:
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            if "ParameterNotFound" in names and node.name not in found:
                found.append(node.name)
    return found


def failure_path(lab: Lab) -> Verdict:
    """The tests must take the failure path too, and the code must be right there.

    Failures: `untested-failure-path` (no passing test makes the parameter read
    fail), `charges-nothing` (with no discount set, price_after_discount answered 0),
    `wrong-full-price` (any other wrong price with no discount set), `wrong-discount`
    (a wrong price with a 25% discount), `skipped-work` (price_after_discount never
    read the discount from the lab's parameter store).
    """
    suite = run_suite(lab)
    covering = _error_path_tests(lab.sources[lab.entry], suite.passed)
    # Integration checks: the real code, with only the parameter store replaced (by
    # the lab's): first with no discount parameter, then with one.
    checked = run_checks(
        lab,
        [
            Check(
                "price_after_discount",
                (1000,),
                lambda v: same(v, 1000),
                "1000 (no discount set)",
                "wrong-full-price",
                lambda v: "charges-nothing" if same(v, 0) else None,
            )
        ],
    )
    lab.params.put("/shop/discount", "0.25")
    run_checks(
        lab,
        [
            Check(
                "price_after_discount",
                (1000,),
                lambda v: same(v, 750),
                "750 (25% discount)",
                "wrong-discount",
            )
        ],
        into=checked,
    )
    observed = suite.summary()
    observed += (
        f"; {len(covering)} passing test(s) take the failure path ({', '.join(covering)})"
        if covering
        else "; no passing test takes the failure path (none makes the parameter read fail)"
    )
    if checked.problems:
        observed += f"; with the lab's parameter store, {checked.problems[0]}"
    elif checked.unanswered:
        observed += f"; {checked.told()}"
    else:
        observed += (
            "; with the lab's parameter store, 1000 cost 1000 with no discount set and 750 "
            "with 0.25"
        )
    return _verdict(
        observed,
        suite,
        checked,
        untested_failure_path=not covering,
        skipped_work=skipped(
            checked.records, "params.read", "read the discount from the parameter store"
        ),
    )
