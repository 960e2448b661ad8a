"""Scenarios for ARCH-02: a small application in three layers, run and read.

The folder holds one application: `app` (the handler), `gateway`, the interfaces
`interface_cache` and `interface_metrics`, and the cores `core_cache` and
`core_metrics`. Each scenario puts the snippet under test in its place in that
application (`lab.mount`), sends it the same five requests, and checks two things:

- behaviour: every request gets the right answer (a value stored, then updated, then
  read back; a key never stored reads as None) and the metrics core counts each
  cache hit and miss;
- layering, read from the modules' source with `ast`: the handler imports only the
  gateway; the gateway imports only interfaces, inside its functions; an interface
  imports only its core, inside its functions; a core imports no other core (it goes
  back through the gateway); and the gateway's and interfaces' functions only pass
  the call on, with no state of their own.

A snippet is good only when both hold. A handler or module that does not do its job
(returns None, raises, answers something else) is judged bad, never a crash.

Every scenario names the same failures (besides `wrong-answer` and `error:<Type>`,
shared by every scenario, see `sima_lab.answers`):

- `stale-read`: a read after an update got the value from before it;
- `miss-hidden`: the read of a key never stored got a value instead of None, so the
  caller cannot tell a miss;
- `miscounted`: the metrics core's counts are not the requests' 2 hits and 1 miss;
- `no-metrics`: the last response carried no metrics;
- `core-imports-core`: a core imports another core instead of going through the
  gateway;
- `forbidden-import`: a module imports a layer its own may not import (the handler an
  interface, the gateway a core...);
- `eager-import`: the gateway or an interface imports the next layer at module level,
  not on first use;
- `state-outside-core`: the gateway or an interface keeps module state of its own;
- `logic-outside-core`: a function of the gateway or an interface does more than pass
  the call on;
- `unreadable-module`: a module's source cannot be parsed.
"""

import ast
from collections.abc import Mapping

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import (
    answer,
    judge,
    keys_of,
    same,
    shown,
    text_of,
    unexpected_errors,
    wrong_answers,
)

#: The five requests: store, read, read a missing key, update, read the update.
REQUESTS = (
    ({"op": "put", "key": "u1", "value": "Ada"}, "Ada"),
    ({"op": "get", "key": "u1"}, "Ada"),
    ({"op": "get", "key": "u2"}, None),
    ({"op": "put", "key": "u1", "value": "Grace"}, "Grace"),
    ({"op": "get", "key": "u1"}, "Grace"),
)
#: What the metrics core must have counted after them.
METRICS = {"cache.hit": 2, "cache.miss": 1}

#: Which layer may import which; the pairs marked lazy must import inside a function.
ALLOWED = {
    ("caller", "gateway"),
    ("gateway", "interface"),
    ("interface", "core"),
    ("core", "gateway"),
}
LAZY = {("gateway", "interface"), ("interface", "core")}

#: A break of the layering rule: (failure name, what it is).
Problem = tuple[str, str]


# -- reading the code ---------------------------------------------------------------------


def _layer(module: str) -> str:
    if module == "gateway":
        return "gateway"
    if module.startswith("interface_"):
        return "interface"
    if module.startswith("core_"):
        return "core"
    return "caller"


def _imports(source: str) -> list[tuple[str, int, bool]]:
    """(module, line, inside a function) for every import in the source.

    `import x`, `from x import y`, and `importlib.import_module("x")` or
    `__import__("x")` with a literal name all count.
    """
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((a.name.split(".")[0], child.lineno, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], child.lineno, lazy))
            elif isinstance(child, ast.Call) and child.args:
                func = child.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = child.args[0]
                if (
                    called in ("import_module", "__import__")
                    and isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                ):
                    found.append((first.value.split(".")[0], child.lineno, lazy))
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, lazy or inner)

    visit(ast.parse(source), False)
    return found


def _passes_through(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function only imports and returns `module.name(*its own arguments)`."""
    body = [
        s
        for s in function.body
        if not isinstance(s, ast.Import | ast.ImportFrom)
        and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    call = body[0].value
    params = [a.arg for a in function.args.args]
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and not call.keywords
        and [a.id if isinstance(a, ast.Name) else None for a in call.args] == params
    )


def _own_logic(module: str, source: str) -> list[Problem]:
    """What a gateway or interface module does besides passing calls on."""
    problems: list[Problem] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if not _passes_through(node):
                problems.append(
                    (
                        "logic-outside-core",
                        f"{module}.{node.name} does more than pass the call on "
                        f"(line {node.lineno})",
                    )
                )
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            value = node.value
            literal = isinstance(value, ast.Constant) or (
                isinstance(value, ast.Tuple)
                and all(isinstance(e, ast.Constant) for e in value.elts)
            )
            if not literal:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = ", ".join(ast.unparse(t) for t in targets)
                problems.append(
                    (
                        "state-outside-core",
                        f"{module} keeps state of its own ({names}, line {node.lineno})",
                    )
                )
    return problems


def _layering(sources: Mapping[str, str]) -> tuple[list[Problem], int]:
    """Every break of the layering rule, and how many imports between modules were read."""
    problems: list[Problem] = []
    edges = 0
    for module, source in sources.items():
        try:
            imports = _imports(source)
        except SyntaxError:
            problems.append(("unreadable-module", f"{module} cannot be read"))
            continue
        mine = _layer(module)
        for target, line, lazy in imports:
            if target not in sources or target == module:
                continue  # the standard library, `lab`
            edges += 1
            theirs = _layer(target)
            if mine == theirs == "core":
                problems.append(
                    (
                        "core-imports-core",
                        f"{module} imports {target} directly (line {line}) instead of going "
                        "back through the gateway",
                    )
                )
            elif (mine, theirs) not in ALLOWED:
                problems.append(
                    (
                        "forbidden-import",
                        f"the {mine} {module} imports the {theirs} {target} (line {line})",
                    )
                )
            elif (mine, theirs) in LAZY and not lazy:
                problems.append(
                    ("eager-import", f"{module} imports {target} at module level (line {line})")
                )
        if mine in ("gateway", "interface"):
            problems += _own_logic(module, source)
    return problems, edges


# -- running the application --------------------------------------------------------------


def _value(record: Invocation) -> object:
    return answer(record.result, "value")


def _answers_right(record: Invocation, expected: str | None) -> bool:
    """The response names the request's key and carries the value it should."""
    value = _value(record)
    right = value is None if expected is None else same(value, expected)
    return right and same(answer(record.result, "key"), record.event["key"])


def _earlier_values() -> dict[int, set[str]]:
    """For each read (by request number), the values its key held before the latest one."""
    history: dict[str, list[str]] = {}
    earlier: dict[int, set[str]] = {}
    for number, (event, _) in enumerate(REQUESTS, 1):
        if event["op"] == "put":
            history.setdefault(event["key"], []).append(event["value"])
        else:
            earlier[number] = set(history.get(event["key"], [])[:-1])
    return earlier


def _misread(record: Invocation, expected: str | None) -> str:
    # The pages tell a misread as the value read, not the whole response that
    # `wrong_answers` shows: the story of these snippets is which value came back.
    return (
        f"request {record.number} ({record.event['op']} {record.event['key']}) read "
        f"{shown(_value(record))} instead of {expected!r}"
    )


def _counted(metrics: object) -> bool:
    """Whether the metrics are exactly METRICS (a mapping that breaks on reading is not)."""
    return keys_of(metrics) == frozenset(METRICS) and all(
        same(answer(metrics, k), n) for k, n in METRICS.items()
    )


def _run(lab: Lab, role: str | None) -> Verdict:
    """Mount the snippet as `role` (None: it is the handler), run, and judge."""
    if role is not None:
        lab.mount(role, handler="app")
    records = [lab.invoke(event) for event, _ in REQUESTS]
    expected = {r.number: want for r, (_, want) in zip(records, REQUESTS, strict=True)}
    earlier = _earlier_values()
    answered = [r for r in records if r.ok]
    wrong = [r for r in answered if not _answers_right(r, expected[r.number])]
    in_key = [r for r in wrong if same(answer(r.result, "key"), r.event["key"])]
    stale = [
        r
        for r in in_key
        if isinstance(_value(r), str) and _value(r) in earlier.get(r.number, set())
    ]
    hidden = [r for r in in_key if expected[r.number] is None and _value(r) is not None]
    special = {r.number for r in stale + hidden}
    others = wrong_answers(
        records,
        lambda r: _answers_right(r, expected[r.number]) or r.number in special,
        lambda r: f"{r.event['key']} read as {expected[r.number]!r}",
    )

    # The sentence tells the first stale or hidden read; the other is appended by judge.
    told = min(stale[:1] + hidden[:1], key=lambda r: r.number, default=None)

    def tell(found: list[Invocation]) -> str | bool:
        if not found:
            return False
        return True if found[0] is told else _misread(found[0], expected[found[0].number])

    if not wrong and len(answered) == len(records):
        story = (
            f"all {len(records)} requests answered right (u1 read 'Ada', then 'Grace' after "
            "the update; u2 missed)"
        )
    elif told is not None:
        story = (
            f"{_misread(told, expected[told.number])} "
            f"({len(wrong)} of {len(records)} answers wrong)"
        )
    else:
        right = len(answered) - len(wrong)
        story = f"{right} of {len(records)} requests answered right"

    last = records[-1]
    metrics = answer(last.result, "metrics")
    counted = _counted(metrics)
    if last.error is not None:
        story += "; the last request failed, so no metrics were read"
    elif isinstance(metrics, Mapping):
        hits, misses = (answer(metrics, name) for name in METRICS)
        hits, misses = (text_of(0 if n is None else n) for n in (hits, misses))
        story += f"; core_metrics counted {hits} hit(s) and {misses} miss(es)"
        if not counted:
            story += f" (expected {METRICS['cache.hit']} and {METRICS['cache.miss']})"
    else:
        story += f"; the last response carried no metrics ({shown(metrics)})"

    broken, edges = _layering(lab.sources)
    listed = broken[:3]
    if broken:
        more = [f"{len(broken) - 3} more"] if len(broken) > 3 else []
        story += f"; layering broken: {', and '.join([text for _, text in listed] + more)}"
    else:
        story += f"; the {edges} imports between modules, read with ast, follow the layers"
    # Each kind of break is told in the sentence when one of the first three is of
    # its kind (no text to add), otherwise judge appends its first one.
    layering: dict[str, str] = {}
    for name, text in reversed(broken):
        layering[name] = text
    for name, _ in listed:
        layering[name] = ""
    return judge(
        story,
        unexpected_errors(records),
        layering,
        stale_read=tell(stale),
        miss_hidden=tell(hidden),
        miscounted=isinstance(metrics, Mapping) and not counted,
        no_metrics=last.ok and not isinstance(metrics, Mapping),
        wrong_answer=others,
    )


# -- scenarios ------------------------------------------------------------------------------


def app_calls_the_gateway(lab: Lab) -> Verdict:
    """The handler module itself: it reaches the application only through the gateway.

    Failures: those of every ARCH-02 scenario (see the module's docstring).
    """
    return _run(lab, None)


def gateway_passes_calls_through(lab: Lab) -> Verdict:
    """The snippet is the gateway: it must pass each call to its interface, no more.

    Failures: those of every ARCH-02 scenario (see the module's docstring).
    """
    return _run(lab, "gateway")


def interface_only_routes(lab: Lab) -> Verdict:
    """The snippet is the cache interface: it must route each call to the core, no more.

    Failures: those of every ARCH-02 scenario (see the module's docstring).
    """
    return _run(lab, "interface_cache")


def cores_go_through_the_gateway(lab: Lab) -> Verdict:
    """The snippet is the cache core: it may use the metrics core only via the gateway.

    Failures: those of every ARCH-02 scenario (see the module's docstring).
    """
    return _run(lab, "core_cache")
