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
"""

import ast
from collections.abc import Mapping

from sima_lab import Invocation, Lab, Verdict
from sima_lab.answers import answer, shown

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
                named = isinstance(first, ast.Constant) and isinstance(first.value, str)
                if called in ("import_module", "__import__") and named:
                    found.append((str(first.value).split(".")[0], child.lineno, lazy))
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


def _own_logic(module: str, source: str) -> list[str]:
    """What a gateway or interface module does besides passing calls on."""
    problems: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if not _passes_through(node):
                problems.append(
                    f"{module}.{node.name} does more than pass the call on (line {node.lineno})"
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
                problems.append(f"{module} keeps state of its own ({names}, line {node.lineno})")
    return problems


def _layering(sources: Mapping[str, str]) -> tuple[list[str], int]:
    """Every break of the layering rule, and how many imports between modules were read."""
    problems: list[str] = []
    edges = 0
    for module, source in sources.items():
        try:
            imports = _imports(source)
        except SyntaxError:
            problems.append(f"{module} cannot be read")
            continue
        mine = _layer(module)
        for target, line, lazy in imports:
            if target not in sources or target == module:
                continue  # the standard library, `lab`
            edges += 1
            theirs = _layer(target)
            if mine == theirs == "core":
                problems.append(
                    f"{module} imports {target} directly (line {line}) instead of going "
                    "back through the gateway"
                )
            elif (mine, theirs) not in ALLOWED:
                problems.append(f"the {mine} {module} imports the {theirs} {target} (line {line})")
            elif (mine, theirs) in LAZY and not lazy:
                problems.append(f"{module} imports {target} at module level (line {line})")
        if mine in ("gateway", "interface"):
            problems += _own_logic(module, source)
    return problems, edges


# -- running the application --------------------------------------------------------------


def _right(record: Invocation, expected: str | None) -> bool:
    value = answer(record.result, "value")
    same = value is None if expected is None else isinstance(value, str) and value == expected
    return record.ok and same and answer(record.result, "key") == record.event["key"]


def _run(lab: Lab, role: str | None) -> Verdict:
    """Mount the snippet as `role` (None: it is the handler), run, and judge."""
    if role is not None:
        lab.mount(role, handler="app")
    records = [lab.invoke(event) for event, _ in REQUESTS]
    wrong = [
        (record, expected)
        for record, (_, expected) in zip(records, REQUESTS, strict=True)
        if not _right(record, expected)
    ]
    metrics = answer(records[-1].result, "metrics")
    counted = metrics == METRICS if isinstance(metrics, Mapping) else False
    broken, edges = _layering(lab.sources)

    if wrong:
        record, expected = wrong[0]
        value = answer(record.result, "value")
        if record.error is not None:
            error = record.error
            where = error.filename.rsplit("/", 1)[-1] if error.filename else ""
            at = f" ({where}, line {error.line})" if where and error.line else ""
            what = f"failed with {error.type}: {error.message}{at}"
        elif answer(record.result, "key") == record.event["key"] and isinstance(value, str | None):
            what = f"read {value!r}"
        else:
            what = f"returned {shown(record.result)}"
        story = (
            f"request {record.number} ({record.event['op']} {record.event['key']}) {what} "
            f"instead of {expected!r} ({len(wrong)} of {len(records)} answers wrong)"
        )
    else:
        story = (
            f"all {len(records)} requests answered right (u1 read 'Ada', then 'Grace' after "
            "the update; u2 missed)"
        )
    if isinstance(metrics, Mapping):
        hits, misses = metrics.get("cache.hit", 0), metrics.get("cache.miss", 0)
        story += f"; core_metrics counted {hits} hit(s) and {misses} miss(es)"
        if not counted:
            story += f" (expected {METRICS['cache.hit']} and {METRICS['cache.miss']})"
    else:
        story += f"; the last response carried no metrics ({shown(metrics)})"
    if broken:
        listed = broken[:3] + ([f"{len(broken) - 3} more"] if len(broken) > 3 else [])
        story += f"; layering broken: {', and '.join(listed)}"
    else:
        story += f"; the {edges} imports between modules, read with ast, follow the layers"
    return Verdict(not wrong and counted and not broken, story)


# -- scenarios ------------------------------------------------------------------------------


def app_calls_the_gateway(lab: Lab) -> Verdict:
    """The handler module itself: it reaches the application only through the gateway."""
    return _run(lab, None)


def gateway_passes_calls_through(lab: Lab) -> Verdict:
    """The snippet is the gateway: it must pass each call to its interface, no more."""
    return _run(lab, "gateway")


def interface_only_routes(lab: Lab) -> Verdict:
    """The snippet is the cache interface: it must route each call to the core, no more."""
    return _run(lab, "interface_cache")


def cores_go_through_the_gateway(lab: Lab) -> Verdict:
    """The snippet is the cache core: it may use the metrics core only via the gateway."""
    return _run(lab, "core_cache")
