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
"""

import ast
import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import shown

# -- helpers ------------------------------------------------------------------------------


def _error(record: Invocation) -> str:
    """'AssertionError at line 20: expected ValueError...' for a failed invocation."""
    error = record.error
    if error is None:
        return "no error"
    where = f" at line {error.line}" if error.line else ""
    message = f": {shown(error.message, 70)[1:-1]}" if error.message else ""
    return f"{error.type}{where}{message}"


def _called(record: Invocation, name: str) -> tuple[bool, Any]:
    """(True, value) when the handler answered `{name: value}`, else (False, None)."""
    result = record.result
    if record.ok and isinstance(result, Mapping) and len(result) == 1 and name in result:
        return True, result[name]
    return False, None


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
        collected: Test functions in the module's namespace: what a runner runs.
        passed: Tests that returned without an error.
        failed: Tests that failed or did not run, with why.
    """

    defined: list[tuple[str, int]]
    collected: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def green(self) -> bool:
        """At least one test, every collected test passed, and each defined test ran."""
        return bool(self.collected) and not self.failed and not _duplicates(self.defined)

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
        duplicates = _duplicates(self.defined)
        if duplicates:
            name, lines = next(iter(duplicates.items()))
            text += (
                f"; the source defines {len(self.defined)} tests, but {name} is defined at "
                f"lines {' and '.join(map(str, lines))}, and only the last one exists to run"
            )
        return text


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
    suite.collected = _namespace_tests(lab)
    for name in suite.collected:
        record = done.get(name) or lab.invoke({"call": name})
        answered, _ = _called(record, name)
        if answered:
            suite.passed.append(name)
        elif not record.ok:
            suite.failed.append((name, _error(record)))
        else:
            suite.failed.append((name, f"the handler returned {shown(record.result)}"))
    return suite


@dataclass(frozen=True)
class Check:
    """One call of the code under test and what its answer must satisfy."""

    function: str
    args: tuple[Any, ...]
    accepts: Callable[[Any], bool]
    wanted: str

    def shown(self) -> str:
        return f"{self.function}({', '.join(shown(a, 30) for a in self.args)})"


def run_checks(lab: Lab, checks: list[Check]) -> list[str]:
    """Call each function; return what went wrong ([] when every answer was right)."""
    problems = []
    for check in checks:
        record = lab.invoke({"call": check.function, "args": list(check.args)})
        answered, value = _called(record, check.function)
        if not record.ok:
            problems.append(f"{check.shown()} raised {_error(record)}")
        elif not answered:
            problems.append(
                f"the handler returned {shown(record.result)} instead of "
                f"{{{check.function!r}: {check.wanted}}}"
            )
        else:
            try:
                right = bool(check.accepts(value))
            except Exception:
                right = False
            if not right:
                problems.append(
                    f"{check.shown()} returned {shown(value)} instead of {check.wanted}"
                )
    return problems


def _status(value: Any) -> Any:
    return value.get("statusCode") if isinstance(value, Mapping) else None


# -- scenarios ----------------------------------------------------------------------------


def expected_errors(lab: Lab) -> Verdict:
    """Tests must expect what the function really does with bad input."""
    suite = run_suite(lab)
    problems = run_checks(
        lab,
        [
            Check(
                "create_order",
                ({"quantity": 2},),
                lambda v: v == {"statusCode": 201, "quantity": 2},
                "a 201 response for 2",
            ),
            Check(
                "create_order", ({"quantity": -1},), lambda v: _status(v) == 400, "a 400 response"
            ),
            Check(
                "create_order", ({"quantity": "2"},), lambda v: _status(v) == 400, "a 400 response"
            ),
        ],
    )
    observed = suite.summary()
    if problems:
        observed += f"; but {problems[0]}"
        if suite.green:
            observed += ": the tests passed without checking it"
    else:
        observed += "; create_order answered 201 for a good order and 400 for bad ones"
        if not suite.green:
            observed += ", as designed: the test, not the code, is wrong"
    return Verdict(suite.green and not problems, observed)


def imported_names(lab: Lab) -> Verdict:
    """Every name a test uses must be imported or defined in its module."""
    undefined = _undefined_names(lab.sources[lab.entry])
    suite = run_suite(lab)
    lab.objects.put("reports/today.json", '{"rows": [1, 2]}')
    problems = run_checks(
        lab, [Check("report_rows", ("reports/today.json",), lambda v: v == 2, "2 rows")]
    )
    observed = suite.summary()
    if undefined:
        name, line = next(iter(undefined.items()))
        observed += (
            f"; the source reads {name} (first at line {line}) and never imports or assigns it"
        )
    if problems:
        observed += f"; {problems[0]}"
    else:
        observed += "; report_rows read 2 rows from the lab's object store"
        if not suite.green:
            observed += ": the code works, the tests are broken"
    return Verdict(suite.green and not problems and not undefined, observed)


def _fair_split(value: Any, total: int, people: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) == people
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and sum(value) == total
        and max(value) - min(value) <= 1
    )


def unique_names(lab: Lab) -> Verdict:
    """Each test needs its own name, or a later one silently replaces it."""
    suite = run_suite(lab)
    problems = run_checks(
        lab,
        [
            Check("split_bill", (100, 3), lambda v: _fair_split(v, 100, 3), "3 shares of 100"),
            Check("split_bill", (100, 4), lambda v: v == [25, 25, 25, 25], "[25, 25, 25, 25]"),
        ],
    )
    observed = suite.summary()
    if problems:
        observed += f"; {problems[0]}"
        if suite.passed and not suite.failed:
            observed += ", and the suite passed"
    else:
        observed += "; split_bill kept every cent: 100 for 3 and 100 for 4"
    return Verdict(suite.green and not problems, observed)


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
    """The tests must take the failure path too, and the code must be right there."""
    suite = run_suite(lab)
    covering = _error_path_tests(lab.sources[lab.entry], suite.passed)
    # Integration checks: the real code, with only the parameter store replaced (by
    # the lab's): first with no discount parameter, then with one.
    problems = run_checks(
        lab,
        [Check("price_after_discount", (1000,), lambda v: v == 1000, "1000 (no discount set)")],
    )
    lab.params.put("/shop/discount", "0.25")
    problems += run_checks(
        lab,
        [Check("price_after_discount", (1000,), lambda v: v == 750, "750 (25% discount)")],
    )
    observed = suite.summary()
    observed += (
        f"; {len(covering)} passing test(s) take the failure path ({', '.join(covering)})"
        if covering
        else "; no passing test takes the failure path (none makes the parameter read fail)"
    )
    if problems:
        observed += f"; with the lab's parameter store, {problems[0]}"
    else:
        observed += (
            "; with the lab's parameter store, 1000 cost 1000 with no discount set and 750 "
            "with 0.25"
        )
    return Verdict(suite.green and bool(covering) and not problems, observed)
