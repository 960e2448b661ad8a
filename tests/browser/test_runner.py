"""Run in the page: every snippet's claim, edits that flip a verdict, and a runner
that recovers from endless loops, floods of output and failed loads."""

from __future__ import annotations

import json
import re
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, ElementHandle, Locator, Route, expect

from browser.conftest import Visit, opened
from conftest import ROOT, RUN_TIMEOUT, Served, run_mkdocs, serve

LESS22 = ROOT / "snippets/LESS-22"
CLAIMS = tomllib.loads((LESS22 / "claims.toml").read_text(encoding="utf-8"))
PAIRS = {c["fixes"]: good for good, c in CLAIMS.items() if "fixes" in c}
PYODIDE = "/assets/pyodide/"
#: The wasm, under its content-hashed name, gzipped (or not, in a browser that cannot
#: gunzip).
WASM = re.compile(r"/pyodide\.asm-[0-9a-f]{12}\.wasm(\.gz)?$")
#: Either standard library zip: the trimmed one Python starts with, or the whole one.
STDLIB = re.compile(r".*/python_stdlib-[0-9a-f]{12}\.zip(\.gz)?$")


def wasm_loads(visit: Visit) -> list[str]:
    return [u for u in visit.requests if WASM.search(u)]


def block(visit: Visit, name: str) -> Locator:
    return visit.page.locator(f'[data-snippet="LESS-22/{name}"]')


def handle(locator: Locator) -> ElementHandle:
    found = locator.element_handle()
    assert found is not None
    return found


def run(visit: Visit, name: str, code: str | None = None) -> dict[str, object]:
    """Set the code (if given) and run it through the page's own API."""
    target = handle(block(visit, name))
    if code is not None:
        visit.page.evaluate("([b, t]) => window.sima.setCode(b, t)", [target, code])
    result: dict[str, object] = visit.page.evaluate("b => window.sima.run(b)", target)
    return result


@pytest.fixture
def less22(visit: Visit) -> Iterator[Visit]:
    """A fresh LESS-22 page in a new browser context (nothing loaded yet)."""
    visit.goto("entries/LESS-22/")
    visit.page.wait_for_load_state("networkidle")
    yield visit


@pytest.fixture(scope="module")
def warm(browser: Browser, built_site: Path, site_server: Served) -> Iterator[Visit]:
    """One LESS-22 page shared by the tests that only run snippets, so that Python
    loads once for them. Each of those tests starts by resetting what it touches."""
    with opened(browser, site_server) as seen:
        seen.goto("entries/LESS-22/")
        seen.page.wait_for_load_state("networkidle")
        yield seen


@pytest.fixture
def shared(warm: Visit) -> Visit:
    """The shared page, with every block's code put back."""
    warm.page.evaluate(
        "Promise.all([...document.querySelectorAll('[data-snippet]')].map(window.sima.reset))"
    )
    return warm


def place_in(target: Locator, part: Locator) -> tuple[float, float]:
    """Where `part` sits in its block, and the block's height: what the swap from
    static code to the editor must keep. (Measured from the block, not the document:
    a block above that renders late may take its real height meanwhile.)"""
    top, height = part.evaluate(
        "(e, b) => [e.getBoundingClientRect().top - b.getBoundingClientRect().top,"
        " b.getBoundingClientRect().height]",
        handle(target),
    )
    return top, height


def editor_of(visit: Visit, name: str) -> Locator:
    """The block's editor, made by clicking its code as a reader would (the page shows
    static code until then), with the focus in it."""
    target = block(visit, name)
    content = target.locator(".cm-content")
    (content if content.count() else target.locator("> .highlight td.code")).click()
    expect(content).to_be_focused()
    return content


def test_nothing_of_pyodide_loads_before_interaction(less22: Visit) -> None:
    """Code shows as the static highlighted block; neither the editor bundle, nor the
    snippets' data, nor anything of Pyodide is fetched before a reader reaches it."""
    page = less22.page
    assert page.locator(".sima-snippet[data-snippet] > .highlight:visible").count() == len(CLAIMS)
    assert page.locator(".cm-editor").count() == 0
    assert [u for u in less22.requests if PYODIDE in u] == []
    assert [u for u in less22.requests if "/editor.js" in u or "/assets/sima/lab/" in u] == []
    assert page.evaluate("window.sima.runtime().status") == "idle"


def test_code_becomes_the_editor_where_it_is_clicked_and_nothing_moves(less22: Visit) -> None:
    page = less22.page
    target = block(less22, "mistake1_user_sessions")
    after = target.locator(".sima-timeline")
    source = (LESS22 / "mistake1_user_sessions.py").read_text(encoding="utf-8").splitlines()
    number = next(i for i, text in enumerate(source) if text.startswith("_user_sessions = {}"))
    target.locator("> .highlight").scroll_into_view_if_needed()
    code = target.locator("> .highlight td.code").bounding_box()
    line = target.locator("> .highlight td.linenos .normal").nth(number).bounding_box()
    assert code is not None and line is not None
    place = place_in(target, after)
    # A click on that line of the static code: the editor takes its place, caret there.
    page.mouse.click(code["x"] + 60, line["y"] + line["height"] / 2)
    content = target.locator(".cm-content")
    expect(content).to_be_focused()
    expect(target.locator("> .highlight td.code")).to_be_hidden()  # the static lines
    assert place_in(target, after) == place
    page.keyboard.press("End")
    page.keyboard.type("  # edited")
    expect(target.locator(".cm-line", has_text="_user_sessions = {}")).to_contain_text("# edited")
    # Only this block became an editor.
    assert page.locator(".cm-editor").count() == 1


def test_keyboard_focus_and_run_make_the_editor_too(less22: Visit) -> None:
    page = less22.page
    target = block(less22, "mistake1_request_scoped")
    target.locator('[data-action="copy"]').focus()
    page.keyboard.press("Tab")  # to the static code
    expect(target.locator(".cm-content")).to_be_focused()
    other = block(less22, "mistake1_user_sessions")
    # (In view first, as a reader would be: what is measured is what the reader sees.)
    other.locator('[data-action="run"]').scroll_into_view_if_needed()
    timeline = other.locator(".sima-timeline")
    top, _ = place_in(other, timeline)
    other.locator('[data-action="run"]').click()
    expect(other.locator(".cm-editor")).to_be_visible()
    assert place_in(other, timeline)[0] == top  # (the run's output goes below it)
    expect(other).to_have_attribute("data-state", "ok", timeout=60_000)


#: Each block's height before it is first shown (a copy of it, not yet laid out, takes
#: the stylesheet's estimate) and after (the block itself, shown), in rem.
ESTIMATES = """() => [...document.querySelectorAll('.sima-snippet[data-snippet]')].map(b => {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  const copy = b.cloneNode(true);
  copy.style.contentVisibility = 'hidden';
  b.after(copy);
  const estimate = copy.getBoundingClientRect().height;
  copy.remove();
  b.style.contentVisibility = 'visible';
  return [b.dataset.snippet, estimate / rem, b.getBoundingClientRect().height / rem];
})"""


def test_a_block_shown_late_takes_about_the_height_it_was_given(less22: Visit) -> None:
    """Blocks out of view are laid out from an estimate until a reader nears them; the
    page below a block moves by the estimate's error when it is shown (where the
    browser does not anchor the scroll, the reader sees that). On LESS-22 at the
    test's width no block is off by more than 5rem."""
    found = less22.page.evaluate(ESTIMATES)
    assert len(found) == len(CLAIMS)
    off = {key: round(estimate - real, 1) for key, estimate, real in found}
    assert {key: by for key, by in off.items() if abs(by) > 5} == {}


def test_pointer_on_run_prefetches(less22: Visit) -> None:
    less22.page.locator('[data-action="run"]').first.hover()
    expect(less22.page.locator("body")).to_be_visible()
    less22.page.wait_for_function("() => window.sima.runtime().status === 'ready'", timeout=60_000)
    assert wasm_loads(less22)


def test_every_snippet_run_by_its_button_shows_its_claim(shared: Visit) -> None:
    for name, claim in CLAIMS.items():
        target = block(shared, name)
        target.locator('[data-action="run"]').click()
        expect(target).to_have_attribute("data-state", "ok", timeout=60_000)
        expect(target).to_have_attribute("data-verdict", claim["claim"])
        fails = claim.get("fails", [])
        declared = f"{claim['claim']} ({', '.join(fails)})" if fails else claim["claim"]
        expect(target.locator(".sima-run__status")).to_contain_text(
            f"The lab observed what the claim says ({declared})"
        )
        expect(target.locator('[role="log"][aria-live="polite"] pre')).to_contain_text("verdict:")
    assert shared.foreign() == []


def all_claims() -> dict[str, dict[str, str]]:
    """Every snippet of every entry: `<REF-ID>/<name>` to its claim table."""
    found: dict[str, dict[str, str]] = {}
    for folder in sorted(p for p in (ROOT / "snippets").iterdir() if p.is_dir()):
        claims = tomllib.loads((folder / "claims.toml").read_text(encoding="utf-8"))
        found.update({f"{folder.name}/{name}": table for name, table in claims.items()})
    return found


def test_every_snippet_of_every_entry_runs_in_one_session(visit: Visit) -> None:
    """Every page's snippets run by their buttons; Python loads once for the session,
    across instant navigation between entries."""
    claims = all_claims()
    visit.goto("")
    for ref_id in sorted({key.split("/")[0] for key in claims}):
        visit.page.evaluate("u => location$.next(new URL(u, location.href))", f"entries/{ref_id}/")
        expect(visit.page.locator(".md-content article h1")).to_contain_text(ref_id)
        for key in sorted(k for k in claims if k.startswith(f"{ref_id}/")):
            target = visit.page.locator(f'[data-snippet="{key}"]')
            target.locator('[data-action="run"]').click()
            expect(target).to_have_attribute("data-state", "ok", timeout=60_000)
            expect(target).to_have_attribute("data-verdict", claims[key]["claim"])
    assert len(wasm_loads(visit)) == 1
    assert visit.foreign() == []


@pytest.mark.parametrize(("bad", "good"), sorted(PAIRS.items()))
def test_editing_a_bad_snippet_into_its_fix_flips_the_verdict(
    shared: Visit, bad: str, good: str
) -> None:
    fixed = (LESS22 / f"{good}.py").read_text(encoding="utf-8")
    result = run(shared, bad, fixed)
    assert (result["state"], result["observed"], result["status"]) == ("ok", "good", "fail")
    target = block(shared, bad)
    expect(target).to_have_attribute("data-verdict", "good")
    expect(target.locator(".sima-run__status")).to_contain_text("your change fixed the pattern")


def test_a_bad_snippet_broken_another_way_does_not_pass_as_bad(shared: Visit) -> None:
    source = (LESS22 / "mistake3_temp_files_kept.py").read_text(encoding="utf-8")
    broken = source.replace("    key = ", '    raise KeyError("unrelated")\n    key = ')
    result = run(shared, "mistake3_temp_files_kept", broken)
    assert (result["observed"], result["status"]) == ("bad", "fail")
    assert result["observed_failures"] == ["error:KeyError"]
    status = block(shared, "mistake3_temp_files_kept").locator(".sima-run__status")
    expect(status).to_contain_text("Verdict: bad (error:KeyError).")
    expect(status).to_contain_text("The claim says it goes wrong with tmp-full")
    expect(status).to_contain_text("goes wrong in another way")
    original = run(shared, "mistake3_temp_files_kept", source)
    assert (original["status"], original["observed_failures"]) == ("pass", ["tmp-full"])
    expect(status).to_contain_text("The lab observed what the claim says (bad (tmp-full)).")


def test_tracebacks_point_at_the_readers_lines(shared: Visit) -> None:
    code = "def handler(event, context):\n    x = 1\n\n    return undefined_name\n"
    result = run(shared, "mistake1_user_sessions", code)
    assert "NameError at line 4" in str(result["report"])
    code = "import json\n\ndef handler(event, context)\n    return 1\n"
    result = run(shared, "mistake1_user_sessions", code)
    assert result["state"] == "error"
    assert "snippets/LESS-22/mistake1_user_sessions.py:3: SyntaxError" in str(result["message"])


def test_time_limit_and_stop_recover(less22: Visit) -> None:
    loop = "while True:\n    pass\n"
    result = run(less22, "mistake1_user_sessions", loop)
    assert result["state"] == "timeout"
    target = block(less22, "mistake1_user_sessions")
    expect(target).to_have_attribute("data-state", "timeout")
    expect(target.locator(".sima-run__status")).to_contain_text(f"Stopped after {RUN_TIMEOUT} s")

    # Stop by hand, long before the limit.
    other = block(less22, "mistake1_request_scoped")
    handle_other = handle(other)
    less22.page.evaluate("([b, t]) => window.sima.setCode(b, t)", [handle_other, loop])
    other.locator('[data-action="run"]').click()
    expect(other).to_have_attribute("data-state", "running")
    less22.page.wait_for_function("() => window.sima.runtime().status === 'ready'", timeout=60_000)
    less22.page.wait_for_timeout(300)
    other.locator('[data-action="stop"]').click()
    expect(other).to_have_attribute("data-state", "error")
    expect(other.locator(".sima-run__status")).to_contain_text("Stopped.")

    # A normal run works afterwards, in a fresh worker.
    less22.page.locator(
        '[data-snippet="LESS-22/mistake1_request_scoped"] [data-action="reset"]'
    ).click()
    result = run(less22, "mistake1_request_scoped")
    assert (result["state"], result["observed"]) == ("ok", "good")


def test_a_flood_of_output_is_cut_and_the_page_stays_responsive(shared: Visit) -> None:
    code = "for i in range(10**6):\n    print(i)\n\ndef handler(event, context):\n    return 1\n"
    result = run(shared, "lifecycle_cold_warm", code)
    assert result["state"] == "ok"
    log = block(shared, "lifecycle_cold_warm").locator(".sima-run__output")
    text = log.text_content() or ""  # (all of it, in view or not)
    assert "[output cut:" in text
    assert len(text) < 300_000
    assert shared.page.evaluate("1 + 1") == 2


def test_html_in_output_is_shown_as_text(shared: Visit) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    shared.page.on("dialog", on_dialog)
    payload = "<img src=x onerror=alert(1)>"
    code = f"def handler(event, context):\n    print({payload!r})\n    return {payload!r}\n"
    run(shared, "mistake1_request_scoped", code)
    target = block(shared, "mistake1_request_scoped")
    assert payload in target.locator(".sima-run__output").inner_text()
    assert target.locator(".sima-run img").count() == 0
    assert dialogs == []


def test_reset_restores_the_original_code(shared: Visit) -> None:
    target = block(shared, "mistake1_user_sessions")
    shared.page.evaluate("([b, t]) => window.sima.setCode(b, t)", [handle(target), "x = 1\n"])
    target.locator('[data-action="reset"]').click()
    source = (LESS22 / "mistake1_user_sessions.py").read_text(encoding="utf-8")
    expect(target.locator(".cm-content")).to_contain_text("_user_sessions = {}")
    result = run(shared, "mistake1_user_sessions")
    assert result["observed"] == "bad"
    assert source.splitlines()[0] in target.locator(".cm-content").inner_text()


def test_keyboard_runs_and_leaves_the_editor(shared: Visit) -> None:
    target = block(shared, "mistake1_request_scoped")
    editor_of(shared, "mistake1_request_scoped")
    shared.page.keyboard.press("Control+Enter")
    expect(target).to_have_attribute("data-state", "ok", timeout=60_000)
    target.locator(".cm-content").click()
    shared.page.keyboard.press("Escape")
    focused = shared.page.evaluate("document.activeElement.dataset.action")
    assert focused == "run"


def test_python_survives_instant_navigation(less22: Visit) -> None:
    assert run(less22, "mistake1_request_scoped")["state"] == "ok"
    less22.page.locator(".md-content article a.sima-ref[data-ref='LESS-18']").first.click()
    expect(less22.page.locator(".md-content article h1")).to_contain_text("LESS-18")
    less22.page.locator(".md-content article a.sima-ref[data-ref='LESS-22']").first.click()
    expect(less22.page.locator(".md-content article h1")).to_contain_text("LESS-22")
    assert run(less22, "mistake1_user_sessions")["state"] == "ok"
    assert len(wasm_loads(less22)) == 1


def test_a_failed_load_says_what_failed_and_retry_works(less22: Visit) -> None:
    page = less22.page

    def refuse(route: Route) -> None:
        route.abort()

    page.context.route(STDLIB, refuse)  # (the context's routes see the service worker's)
    result = run(less22, "mistake1_request_scoped")
    assert result["state"] == "error"
    target = block(less22, "mistake1_request_scoped")
    expect(target.locator(".sima-run__status")).to_contain_text("Could not")
    retry = target.locator('[data-action="retry"]')
    expect(retry).to_be_visible()
    page.context.unroute(STDLIB)
    retry.click()
    expect(target).to_have_attribute("data-state", "ok", timeout=60_000)


def trimmed_stdlib(site: Path) -> set[str]:
    """The files of the standard library zip the site's Python starts with."""
    config = (site / "assets/sima/config.js").read_text(encoding="utf-8")
    settings = json.loads(config.removeprefix("export default ").rstrip().rstrip(";"))
    name = settings["runtime"]["names"]["stdlib"]
    with zipfile.ZipFile(site / "assets/pyodide" / name) as zipped:
        return set(zipped.namelist())


def test_a_module_outside_the_trimmed_standard_library_still_imports(
    less22: Visit, built_site: Path
) -> None:
    """Python starts with the modules the lab and the claims use; the first import of
    another standard module fetches the whole library, and the code runs."""
    inside = trimmed_stdlib(built_site)
    assert "json/decoder.pyc" in inside and "difflib.pyc" not in inside
    source = (LESS22 / "mistake1_user_sessions.py").read_text(encoding="utf-8")
    edited = source.replace(
        '    user_id = event["userId"]',
        '    import difflib\n\n    difflib.SequenceMatcher(None, "ab", "ac").ratio()\n'
        '    user_id = event["userId"]',
    )
    assert edited != source
    before = [u for u in less22.requests if STDLIB.match(u)]
    assert before == []
    result = run(less22, "mistake1_user_sessions", edited)
    assert (result["state"], result["status"], result["observed"]) == ("ok", "pass", "bad")
    fetched = [u for u in less22.requests if STDLIB.match(u)]
    assert len(fetched) == 2  # the trimmed one at the start, the whole one on import
    again = run(less22, "mistake1_user_sessions", edited)
    assert again["status"] == "pass"
    assert [u for u in less22.requests if STDLIB.match(u)] == fetched  # once is enough


def test_editor_follows_the_dark_palette(less22: Visit) -> None:
    editor_of(less22, "lifecycle_cold_warm")
    editor = less22.page.locator(".cm-editor").first
    light = editor.evaluate("e => getComputedStyle(e).backgroundColor")
    less22.page.locator("label[title='Switch to dark mode']:visible").click()
    expect(less22.page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    dark = editor.evaluate("e => getComputedStyle(e).backgroundColor")
    assert light != dark


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site built for, and served from, a sub-path (like a GitHub project site)."""
    root = tmp_path_factory.mktemp("subpath")
    server, url = serve(root)
    site_url = url + "kb/"
    built = run_mkdocs(
        ROOT / "mkdocs.yml",
        "build",
        "--strict",
        "-d",
        str(root / "kb"),
        env={"SIMA_SITE_URL": site_url, "SIMA_RUN_TIMEOUT": str(RUN_TIMEOUT)},
    )
    assert built.returncode == 0, built.stderr
    yield site_url
    server.shutdown()
    server.server_close()


def test_runs_from_a_sub_path_of_a_plain_static_host(browser: Browser, sub_path_site: str) -> None:
    """No special headers (no COOP/COEP), and every request stays under /kb/."""
    with opened(browser, Served(Path(), sub_path_site)) as seen:
        seen.goto("entries/LESS-22/")
        result = run(seen, "mistake1_user_sessions")
        assert (result["state"], result["observed"]) == ("ok", "bad")
        assert seen.page.evaluate("crossOriginIsolated") is False
        # (The worker starts from a blob: URL the page made: not a request to a host.)
        sent = [u for u in seen.requests if not u.startswith("blob:")]
        assert all(u.startswith(sub_path_site) for u in sent), seen.requests
