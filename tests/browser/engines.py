"""The three browser engines readers use, behind one small interface.

- Chromium: Debian's, driven by Playwright (the browser the other browser tests use).
- Firefox: Debian's firefox-esr, headless, over WebDriver BiDi by puppeteer-core, in
  a Node process of its own (firefox_bridge.mjs) that takes JSON-line commands.
  (Playwright drives only its own patched Firefox, which cannot be downloaded here.)
- WebKit: WebKitGTK's MiniBrowser (Safari's engine) in automation mode, driven by
  selenium through WebKitWebDriver, on an Xvfb display this module starts (the
  MiniBrowser has no headless mode).

A test speaks to every engine the same way: page-side JavaScript is handed over as a
function's source, `(arg) => ...`, called with a JSON argument, and what it returns
(a promise is awaited) comes back as JSON; clicks, hovers and keys go through each
driver's input API, so the page gets real pointer and keyboard events. One launch
per engine serves a whole test session (`launched`).
"""

from __future__ import annotations

import glob
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

import pytest
from playwright.sync_api import Browser, ConsoleMessage
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.webkitgtk.options import Options as WebKitOptions
from selenium.webdriver.webkitgtk.service import Service as WebKitService

ENGINES = ("chromium", "firefox", "webkit")
#: Every engine's viewport, in CSS pixels.
WIDTH, HEIGHT = 1280, 900
#: How long one command may take, for the drivers that need a bound (a Python load
#: under a busy machine stays well inside it).
COMMAND_TIMEOUT_S = 150
BRIDGE = Path(__file__).with_name("firefox_bridge.mjs")
INSTALL = "run `make browsers` (make test does)"


class EngineError(RuntimeError):
    """The page or the driver failed a command (a JavaScript error, no such element)."""


class Engine(Protocol):
    """One page of one browser engine, kept for a whole test session."""

    name: str

    def goto(self, url: str) -> None:
        """Load `url` and wait for its load event."""

    def evaluate(self, source: str, arg: object = None) -> Any:
        """Call the function `source` in the page with `arg`; its (awaited) JSON result."""

    def click(self, selector: str) -> None:
        """Click the first element `selector` matches: scrolled into view, the pointer
        put on its middle (again, until it stays there), a press and a release."""

    def hover(self, selector: str) -> None:
        """Put the pointer on the first element `selector` matches, as `click` does."""

    def press(self, key: str) -> None:
        """Press a key (`Enter`, `Escape`, `i`, `Control+Enter`) on the focused element."""

    def type(self, text: str) -> None:
        """Type `text` key by key into the focused element."""

    def console(self) -> list[str]:
        """Console messages since the last call, as far as the engine tells them
        (Chromium: the page's and its workers'; Firefox: the page's; WebKit: none)."""

    def close(self) -> None: ...


#: Where a pointer goes for the first element a selector matches: its middle, in
#: viewport pixels, once it is scrolled to the middle of the viewport and has kept its
#: place for two frames (the page may still scroll a little after scrollIntoView, and
#: a click computed before that misses). Playwright waits like this itself; the
#: Firefox and WebKit drivers take these coordinates (WebKitWebDriver's own idea of
#: an element's middle also misses SVG shapes in a scaled drawing).
POINT = """async (selector) => {
  const found = document.querySelector(selector);
  if (!found) throw new Error(`nothing matches ${selector}`);
  found.scrollIntoView({ block: "center", inline: "center" });
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let last = "";
  for (let tries = 0; tries < 60; tries += 1) {
    await frame();
    const box = found.getBoundingClientRect();
    const point = [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)];
    if (String(point) === last) return point;
    last = String(point);
  }
  throw new Error(`${selector} does not keep still`);
}"""
#: Whether the pointer is on that element now. What the page lays out late (a
#: timeline, a table made sortable) can move an element away from under a pointer
#: just put on it; like a reader, the drivers aim again.
UNDER_POINTER = "(selector) => document.querySelector(selector).matches(':hover')"
AIMS = 5


def _aim(engine: Engine, point: Callable[[], None], selector: str) -> None:
    """`point` the pointer at `selector` until it stays on it."""
    for _ in range(AIMS):
        point()
        if engine.evaluate(UNDER_POINTER, selector):
            return
    raise EngineError(f"{engine.name}: the pointer does not stay on {selector}")


# -- Chromium ----------------------------------------------------------------------------


class Chromium:
    name = "chromium"

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        self.page = self.context.new_page()
        self.messages: list[str] = []
        self.context.on("console", self._record)  # (the context hears its workers too)

    def _record(self, message: ConsoleMessage) -> None:
        self.messages.append(f"{message.type}: {message.text}")

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def evaluate(self, source: str, arg: object = None) -> Any:
        return self.page.evaluate(source, arg)

    def click(self, selector: str) -> None:
        self.page.locator(selector).first.click()

    def hover(self, selector: str) -> None:
        _aim(self, self.page.locator(selector).first.hover, selector)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def console(self) -> list[str]:
        seen, self.messages = self.messages, []
        return seen

    def close(self) -> None:
        self.context.close()


# -- Firefox -----------------------------------------------------------------------------


def firefox_path() -> str | None:
    return shutil.which("firefox-esr") or shutil.which("firefox")


class Firefox:
    """firefox_bridge.mjs, spoken to over its stdin and stdout."""

    name = "firefox"

    def __init__(self, executable: str) -> None:
        self.process = subprocess.Popen(
            ["node", str(BRIDGE), executable, str(WIDTH), str(HEIGHT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=BRIDGE.parent,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin: IO[str] = self.process.stdin
        self.answers: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.ids = itertools.count(1)
        self.version = self._answer(0)

    def _read(self, stdout: IO[str]) -> None:
        for line in stdout:
            self.answers.put(line)
        self.answers.put("")  # the bridge exited

    def _answer(self, wanted: int) -> Any:
        while True:
            try:
                line = self.answers.get(timeout=COMMAND_TIMEOUT_S)
            except queue.Empty:
                raise EngineError(f"Firefox did not answer in {COMMAND_TIMEOUT_S} s") from None
            if not line:
                raise EngineError(f"the Firefox bridge exited ({self.process.poll()})")
            answer = json.loads(line)
            if answer["id"] != wanted:
                continue  # the late answer to a command that timed out
            if "error" in answer:
                raise EngineError(answer["error"])
            return answer["value"]

    def call(self, op: str, **args: object) -> Any:
        wanted = next(self.ids)
        self.stdin.write(json.dumps({"id": wanted, "op": op, **args}) + "\n")
        self.stdin.flush()
        return self._answer(wanted)

    def goto(self, url: str) -> None:
        self.call("goto", url=url)

    def evaluate(self, source: str, arg: object = None) -> Any:
        return self.call("evaluate", source=source, arg=arg)

    def _move(self, selector: str) -> None:
        x, y = self.evaluate(POINT, selector)
        self.call("move", x=x, y=y)

    def click(self, selector: str) -> None:
        _aim(self, lambda: self._move(selector), selector)
        self.call("click")

    def hover(self, selector: str) -> None:
        _aim(self, lambda: self._move(selector), selector)

    def press(self, key: str) -> None:
        self.call("press", key=key)

    def type(self, text: str) -> None:
        self.call("type", text=text)

    def console(self) -> list[str]:
        seen: list[str] = self.call("console")
        return seen

    def close(self) -> None:
        try:
            self.call("close")
        finally:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# -- WebKit ------------------------------------------------------------------------------


def minibrowser_path() -> str | None:
    """WebKitGTK's MiniBrowser (in Debian's libwebkit2gtk-4.1-0, which
    webkit2gtk-driver pulls in), whatever the architecture."""
    found = sorted(glob.glob("/usr/lib/*/webkit*gtk-*/MiniBrowser"))
    return found[-1] if found else None


@contextmanager
def xvfb() -> Iterator[str]:
    """A display for the MiniBrowser: an Xvfb of our own on the first free number."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=[write],
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as told:
        number = told.readline().strip()  # written once the display is up; "" if it died
    try:
        if not number:
            raise EngineError(f"Xvfb did not start ({server.wait()})")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait()


#: execute_async_script's body around a function's source: the promise's outcome
#: comes back as {value} or {error}, never as selenium's own timeout.
ASYNC_CALL = """
const done = arguments[arguments.length - 1];
const arg = arguments[0];
Promise.resolve()
  .then(() => (SOURCE)(arg))
  .then(
    (value) => done({ value: value === undefined ? null : value }),
    (error) => done({ error: String((error && error.stack) || error) }),
  );
"""
#: Key names as the other drivers take them, in selenium's terms.
SELENIUM_KEYS = {"Enter": Keys.ENTER, "Escape": Keys.ESCAPE, "Tab": Keys.TAB}
SELENIUM_MODIFIERS = {"Control": Keys.CONTROL, "Shift": Keys.SHIFT, "Alt": Keys.ALT}
PAINTED = "() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn)))"


class WebKit:
    name = "webkit"

    def __init__(self, display: str, minibrowser: str, driver: str) -> None:
        options = WebKitOptions()
        options.binary_location = minibrowser  # (the capability webkitgtk:browserOptions)
        options.add_argument("--automation")
        service = WebKitService(executable_path=driver, env={**os.environ, "DISPLAY": display})
        with warnings.catch_warnings():
            # (selenium 4.50's WebKitGTK class sets up its connection in a way selenium
            # itself has deprecated since)
            warnings.simplefilter("ignore", DeprecationWarning)
            self.driver = webdriver.WebKitGTK(options=options, service=service)
        self.driver.set_window_size(WIDTH, HEIGHT)
        self.driver.set_script_timeout(COMMAND_TIMEOUT_S)
        self.version = str(self.driver.capabilities.get("browserVersion"))

    def _move(self, selector: str) -> None:
        x, y = self.evaluate(POINT, selector)
        actions = ActionBuilder(self.driver)
        actions.pointer_action.move_to_location(x, y)  # type: ignore[no-untyped-call]
        actions.perform()

    def goto(self, url: str) -> None:
        self.driver.get(url)
        # Keys sent before the loaded page is first drawn can get lost here.
        self.evaluate(PAINTED)

    def evaluate(self, source: str, arg: object = None) -> Any:
        answer = self.driver.execute_async_script(ASYNC_CALL.replace("SOURCE", source), arg)
        if "error" in answer:
            raise EngineError(answer["error"])
        return answer["value"]

    def click(self, selector: str) -> None:
        _aim(self, lambda: self._move(selector), selector)
        actions = ActionBuilder(self.driver)
        actions.pointer_action.click()  # where the pointer is
        actions.perform()

    def hover(self, selector: str) -> None:
        _aim(self, lambda: self._move(selector), selector)

    def press(self, key: str) -> None:
        *held, last = key.split("+")
        actions = ActionChains(self.driver)
        for modifier in held:
            actions.key_down(SELENIUM_MODIFIERS[modifier])
        actions.send_keys(SELENIUM_KEYS.get(last, last))
        for modifier in reversed(held):
            actions.key_up(SELENIUM_MODIFIERS[modifier])
        actions.perform()

    def type(self, text: str) -> None:
        ActionChains(self.driver).send_keys(text).perform()

    def console(self) -> list[str]:
        return []  # WebKitWebDriver has no way to read the console

    def close(self) -> None:
        self.driver.quit()


# -- launching ---------------------------------------------------------------------------


def _needed(found: str | None, what: str) -> str:
    if found is None:
        pytest.fail(f"{what} is not installed: {INSTALL}")
    return found


@contextmanager
def launched(name: str, chromium: Callable[[], Browser]) -> Iterator[Engine]:
    """The engine `name`, started (Chromium: a context of the session's `chromium()`)
    and closed afterwards."""
    engine: Engine
    if name == "chromium":
        engine = Chromium(chromium())
        try:
            yield engine
        finally:
            engine.close()
    elif name == "firefox":
        _needed(shutil.which("node"), "Node.js")
        engine = Firefox(_needed(firefox_path(), "Firefox (Debian firefox-esr)"))
        try:
            yield engine
        finally:
            engine.close()
    elif name == "webkit":
        minibrowser = _needed(minibrowser_path(), "WebKitGTK's MiniBrowser")
        driver = _needed(shutil.which("WebKitWebDriver"), "WebKitWebDriver (webkit2gtk-driver)")
        _needed(shutil.which("Xvfb"), "Xvfb (xvfb)")
        with xvfb() as display:
            engine = WebKit(display, minibrowser, driver)
            try:
                yield engine
            finally:
                engine.close()
    else:
        raise ValueError(f"no engine {name!r}: one of {', '.join(ENGINES)}")
