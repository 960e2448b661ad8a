"""Lab.mount: a snippet as one module of a small package whose handler is elsewhere.

ARCH-02 shows a gateway, an interface and a core as separate snippets; each is checked
in place in the same small application, whose handler lives in another module.
"""

from __future__ import annotations

import textwrap

import pytest

from sima_lab import Claim, Lab, LabError, Verdict, verify

APP = textwrap.dedent(
    """\
    import gateway


    def handler(event, context):
        return gateway.double(event["n"])
    """
)
GATEWAY = textwrap.dedent(
    """\
    def double(n):
        import core_math

        return core_math.double_impl(n)
    """
)
CORE = textwrap.dedent(
    """\
    from lab import work

    CALLS = []


    def double_impl(n):
        work(3)
        CALLS.append(n)
        return 2 * n
    """
)
BROKEN_CORE = textwrap.dedent(
    """\
    def double_impl(n):
        return n / 0
    """
)
FILENAME = "snippets/T/core_math_variant.py"


def core_lab(source: str = CORE, **modules: str) -> Lab:
    """A lab whose snippet is a core variant, with the app and gateway as its modules."""
    return Lab(source, filename=FILENAME, modules={"app": APP, "gateway": GATEWAY, **modules})


def test_without_mount_the_entry_holds_the_handler() -> None:
    lab = Lab(APP, filename="snippets/T/app.py", modules={"gateway": GATEWAY, "core_math": CORE})
    assert lab.handler_module == lab.entry == "app"
    record = lab.invoke({"n": 4})
    assert record.ok and record.result == 8


def test_a_mounted_snippet_runs_in_its_place_and_the_handler_comes_from_another_module() -> None:
    lab = core_lab()
    lab.mount("core_math", handler="app")
    assert lab.entry == "core_math" and lab.handler_module == "app"
    assert lab.sources["core_math"] == CORE
    assert "core_math_variant" not in lab.sources
    assert lab.filenames["core_math"] == FILENAME
    first, second = lab.invoke({"n": 4}), lab.invoke({"n": 5})
    assert [r.result for r in (first, second)] == [8, 10]
    assert [r.cold for r in (first, second)] == [True, False]
    assert first.duration_ms == second.duration_ms == 3
    container = lab.container("c1")
    assert container.globals("core_math")["CALLS"] == [4, 5]
    assert "core_math.CALLS: [4] -> [4, 5]" in second.state_changes


def test_the_mounted_snippet_replaces_a_module_of_the_same_name() -> None:
    lab = Lab(
        BROKEN_CORE,
        filename=FILENAME,
        modules={"app": APP, "gateway": GATEWAY, "core_math": CORE},
    )
    lab.mount("core_math", handler="app")
    assert lab.sources["core_math"] == BROKEN_CORE
    record = lab.invoke({"n": 4})
    assert record.error is not None
    assert record.error.type == "ZeroDivisionError"
    assert (record.error.filename, record.error.line) == (FILENAME, 2)


def test_a_cold_start_imports_the_handler_module_and_what_it_imports() -> None:
    costly_core = "from lab import work\n\nwork(7)  # module code\n\n" + CORE
    eager_gateway = "import core_math\n\n\ndef double(n):\n    return core_math.double_impl(n)\n"
    lazy = core_lab(costly_core)
    lazy.mount("core_math", handler="app")
    eager = core_lab(costly_core, gateway=eager_gateway)
    eager.mount("core_math", handler="app")
    lazy_first, eager_first = lazy.invoke({"n": 1}), eager.invoke({"n": 1})
    assert lazy_first.ok and eager_first.ok
    assert (lazy_first.init_ms, lazy_first.duration_ms) == (0, 10)  # imported on first use
    assert (eager_first.init_ms, eager_first.duration_ms) == (7, 10)  # imported in init


def test_a_handler_module_without_handler_is_reported() -> None:
    lab = core_lab()
    lab.mount("core_math", handler="gateway")
    record = lab.invoke({"n": 1})
    assert record.error is not None
    assert record.error.type == "HandlerNotFound"
    assert record.error.message == "snippets/T/gateway.py defines no handler(event, context)"


def test_mount_may_name_the_snippet_itself_as_the_handler_module() -> None:
    lab = Lab(APP, filename="snippets/T/app_v2.py", modules={"gateway": GATEWAY, "core_math": CORE})
    lab.mount("app", handler="app")
    assert lab.invoke({"n": 2}).result == 4


@pytest.mark.parametrize(
    ("name", "handler", "message"),
    [
        ("lab", "app", "'lab' cannot be a module name"),
        ("not-a-name", "app", "'not-a-name' cannot be a module name"),
        ("core_math", "nowhere", "no module 'nowhere' to take the handler from"),
        ("core_math", "core_math_variant", "no module 'core_math_variant'"),
    ],
)
def test_mount_rejects_unusable_names(name: str, handler: str, message: str) -> None:
    lab = core_lab()
    with pytest.raises(LabError, match=message):
        lab.mount(name, handler=handler)
    assert lab.entry == "core_math_variant"  # nothing changed


def test_mount_comes_before_the_first_invocation() -> None:
    lab = core_lab()
    lab.invoke({"n": 1})
    with pytest.raises(LabError, match="before the first invocation"):
        lab.mount("core_math", handler="app")


def test_a_scenario_can_mount_and_read_the_modules_imports() -> None:
    """What ARCH-02's scenarios do: mount, run, then read imports from `lab.sources`."""
    import ast

    def imports_of(source: str) -> set[str]:
        names: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        return names

    def scenario(lab: Lab) -> Verdict:
        lab.mount("core_math", handler="app")
        record = lab.invoke({"n": 3})
        graph = {name: imports_of(text) for name, text in lab.sources.items()}
        layered = record.result == 6 and "gateway" not in graph["core_math"]
        return Verdict(str(graph), frozenset() if layered else {"layering-broken"})

    claim = Claim(name="core_math_variant", claim="good", says="s", scenario="mounted")
    modules = {"app": APP, "gateway": GATEWAY}
    outcome = verify(CORE, claim, {"mounted": scenario}, filename=FILENAME, modules=modules)
    assert outcome.status == "pass", outcome.message
    assert len(outcome.trace) == 1
