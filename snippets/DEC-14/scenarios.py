"""Scenarios for DEC-14: what importing the interface routers costs, and when.

The lab declares twelve interface routers, `interface_auth` ... `interface_storage`,
as heavy modules: importing one costs IMPORT_MS of virtual time and SIZE_MB of memory
the first time in a container, and nothing afterwards (Python keeps it in
`sys.modules`). Each router's `process(payload)` hands the payload back, so a
handler's answer shows which routers it really called. These costs are declared for
the lab, not measured on any platform.

Every scenario also checks that the handler does its job: each request must get, for
every interface it names, that router's answer. A handler that returns None, raises,
or answers something else is judged bad, with a sentence saying so.

Each verdict names what went wrong, so that a bad claim's `fails` can say which
failure its snippet shows: `wrong-answer` and `error:<Type>` are shared by every
scenario (see `sima_lab.answers`); the others are named in each scenario's docstring.
"""

from collections.abc import Mapping
from types import MappingProxyType

from sima_lab import HeavyModule, Invocation, Lab, Verdict
from sima_lab.answers import answer, judge, shown, unexpected_errors, wrong_answers

INTERFACES = (
    "auth",
    "billing",
    "cache",
    "config",
    "email",
    "http",
    "logging",
    "metrics",
    "queue",
    "search",
    "secrets",
    "storage",
)
#: Declared cost of importing one router: virtual milliseconds and megabytes.
IMPORT_MS = 5.0
SIZE_MB = 1.0

#: Five requests on one warm container, each using two or three of the routers.
REQUESTS = (
    ("cache", "config"),
    ("cache", "config"),
    ("cache", "metrics"),
    ("cache", "config", "metrics"),
    ("auth", "cache"),
)


def _declare_routers(lab: Lab) -> None:
    lab.settings.heavy_modules = MappingProxyType(
        {
            f"interface_{name}": HeavyModule(seconds=IMPORT_MS / 1000, size_mb=SIZE_MB)
            for name in INTERFACES
        }
    )


def _answered(record: Invocation) -> bool:
    """Whether the handler returned each named router's answer to the payload."""
    names = record.event["interfaces"]
    payload = record.event["payload"]
    result = record.result
    # `wrong_answers` counts an answer that breaks these comparisons as wrong.
    return (
        isinstance(result, Mapping)
        and sorted(result) == sorted(names)
        and all(answer(result, name) == payload for name in names)
    )


def _wrong(records: list[Invocation]) -> str:
    """'' when every request that did not fail was answered, else the first wrong one."""
    return wrong_answers(
        records,
        _answered,
        lambda r: f"the answers of {', '.join(r.event['interfaces'])}",
    )


def _imports(record: Invocation) -> int:
    return record.counts.get("heavy.import", 0)


def cold_start_and_first_calls(lab: Lab) -> Verdict:
    """Routers must be imported when a request first needs them, once per container.

    Failures: `eager-imports` (a request imported more routers than the ones it was
    the first to use: the cold start paid for routers its request did not need),
    `missing-imports` (a request answered when fewer routers had been imported than
    it and the requests before it used), `extra-containers` (the five requests did
    not all run on one warm container).
    """
    _declare_routers(lab)
    records = [
        lab.invoke({"interfaces": list(names), "payload": {"request": number}})
        for number, names in enumerate(REQUESTS, 1)
    ]
    first = records[0]
    used: list[str] = []
    expected: list[int] = []  # imports if each router is loaded on its first use
    for names in REQUESTS:
        new = [name for name in names if name not in used]
        used += new
        expected.append(len(new))
    imports = [_imports(r) for r in records]
    containers = len(lab.all_containers)
    on_demand = containers == 1 and imports == expected
    if on_demand:
        lead = (
            f"the cold start imported only the {imports[0]} routers its request used, "
            "and each later router was imported on its first call"
        )
    else:
        lead = (
            f"the cold start imported {imports[0]} of the {len(INTERFACES)} routers for a "
            f"request that used {len(REQUESTS[0])}; {sum(imports)} imports in all for "
            f"{len(used)} routers used"
        )
    numbers = ", ".join(str(n) for n in imports)
    times = ", ".join(f"{r.duration_ms:g}" for r in records)
    story = (
        f"{lead}: per request (routers used {', '.join(str(len(n)) for n in REQUESTS)}), "
        f"imports {numbers} and time {times} ms ({first.init_ms:g} ms of it module code), "
        f"{sum(r.duration_ms for r in records):g} ms in all; {first.memory_mb:g} MB in use "
        "after the cold start"
    )
    if containers != 1:
        story += f"; the requests ran on {containers} containers instead of one"
    eager = [r for r, n, e in zip(records, imports, expected, strict=True) if n > e]
    # A request that answered must have had every router it used imported by then,
    # by itself or a request before it (a failed one is told by its error).
    behind = [
        r for i, r in enumerate(records) if r.ok and sum(imports[: i + 1]) < sum(expected[: i + 1])
    ]
    return judge(
        story,
        unexpected_errors(records),
        eager_imports=bool(eager),
        missing_imports=behind
        and f"by request {behind[0].number}, {sum(imports[: behind[0].number])} router(s) "
        f"had been imported for {sum(expected[: behind[0].number])} used",
        extra_containers=containers != 1,
        wrong_answer=_wrong(records),
    )


def unknown_interface_name(lab: Lab) -> Verdict:
    """A mistyped interface name must fail with an error that says what went wrong.

    The request with the typo is expected to fail; the ones before and after it must
    be answered.

    Failures: `no-error` (the typo raised nothing), `unknown-not-named` (the error's
    message does not name the interface asked for), `known-not-listed` (it leaves out
    some of the known interfaces).
    """
    _declare_routers(lab)
    before = lab.invoke({"interfaces": ["cache"], "payload": {"request": 1}})
    typo = lab.invoke({"interfaces": ["cahce"], "payload": {"request": 2}})
    after = lab.invoke({"interfaces": ["cache", "config"], "payload": {"request": 3}})
    error = typo.error
    names_it = False
    missing: list[str] = []
    if error is None:
        returned = shown(typo.result, 70)
        told = f"the unknown interface 'cahce' raised nothing (the handler returned {returned})"
    else:
        missing = [name for name in INTERFACES if name not in error.message]
        names_it = "cahce" in error.message
        said = f"{error.type}: {error.message}"
        said = said if len(said) <= 90 else f"{said[:87]}..."
        told = f"the unknown interface 'cahce' failed with {said}"
        if not names_it or missing:
            lacks = []
            if not names_it:
                lacks.append("the name asked for")
            if missing:
                lacks.append(f"{len(missing)} of the {len(INTERFACES)} known interfaces")
            told += f", which leaves out {' and '.join(lacks)}"
        else:
            told += ", naming it and all 12 known interfaces"
    others = [before, after]
    wrong = _wrong(others)
    if not wrong and all(r.ok for r in others):
        told += "; the requests before and after it were answered right"
    return judge(
        told,
        unexpected_errors([before, typo, after], expected=lambda r: r is typo),
        no_error=error is None,
        unknown_not_named=error is not None and not names_it,
        known_not_listed=bool(missing),
        wrong_answer=wrong,
    )
