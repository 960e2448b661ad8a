"""One simulated container: its own module namespaces, `/tmp`, memory and singletons.

Snippet code only ever runs inside [`Container.execute`][sima_lab.container.Container.execute],
which for the duration of the call

- puts this container's modules (its snippet modules, its heavy modules and its own
  `lab` module) into `sys.modules` and a meta-path finder in front of `sys.meta_path`,
  so that imports among the snippet's modules resolve to this container's copies;
- sends `print` output to the invocation's log;
- counts the snippet's lines with `sys.settrace`, to stop an endless loop;

and afterwards puts everything back as it was. Nothing is left installed between
calls, and nothing lives at module level: all state is on the objects.
"""

from __future__ import annotations

import errno
import importlib
import importlib.abc
import importlib.machinery
import io
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from sima_lab.errors import LabError, PlatformAbort, SnippetHalted
from sima_lab.fakes import Connection, MemoryAccount, SingletonRegistry, TmpFS, to_kb
from sima_lab.platform import Platform, build_lab_module
from sima_lab.settings import HeavyModule
from sima_lab.state import Snapshot, display, is_state

if TYPE_CHECKING:
    from sima_lab.lab import Lab

_MISSING = object()
_US_PER_MS = 1000
_US_PER_S = 1_000_000


@dataclass(frozen=True)
class ErrorInfo:
    """An exception that ended a phase of an invocation.

    Attributes:
        type: The exception's class name (`UnboundLocalError`), or the platform's
            failure: `Timeout`, `InitTimeout`, `OutOfMemory`, `ExitError`,
            `HandlerNotFound`, `SnippetHalted`.
        message: The exception's text (for `OSError`, the errno's name rather than
            its number, which differs between platforms: `[ENOSPC] No space...`).
        phase: `init` (module code of a cold start) or `handler`.
        filename: The snippet file where it happened, when known.
        line: The line in that file, when known.
    """

    type: str
    message: str
    phase: str
    filename: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.type}: {self.message}{where}" if self.message else f"{self.type}{where}"


def error_message(exc: BaseException) -> str:
    """An exception's text, the same on every platform."""
    if isinstance(exc, OSError) and exc.errno is not None and exc.strerror:
        code = errno.errorcode.get(exc.errno, str(exc.errno))
        where = f": {exc.filename!r}" if exc.filename is not None else ""
        return f"[{code}] {exc.strerror}{where}"
    return str(exc)


def snippet_location(
    tb: TracebackType | None, filenames: Sequence[str] | frozenset[str]
) -> tuple[str | None, int | None]:
    """The innermost traceback entry in one of `filenames`: (file, line)."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in filenames:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


@dataclass
class _Run:
    """One phase in progress: module code of a cold start, or one handler call."""

    phase: str
    start_us: int
    limit_us: int | None
    elapsed_us: int = 0
    steps: int = 0


@dataclass(frozen=True)
class Executed:
    """What one phase did: its result or error, and its virtual duration.

    Attributes:
        result: What the code returned (None on error).
        error: The error that ended it, or None.
        elapsed_us: Virtual microseconds it took.
        output: What it printed.
        fatal: True when the platform replaces the container after it.
        halted: The step-budget stop, re-raised to the scenario once recorded.
    """

    result: Any
    error: ErrorInfo | None
    elapsed_us: int
    output: str
    fatal: bool
    halted: SnippetHalted | None = None


class _Loader(importlib.abc.Loader):
    """Executes one of the container's snippet modules, or makes a heavy module."""

    def __init__(self, container: Container, name: str) -> None:
        self._container = container
        self._name = name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        code = self._container.lab.code.get(self._name)
        if code is not None:
            exec(code, module.__dict__)
            return
        spec = self._container.lab.settings.heavy_modules[self._name]
        self._container.fill_heavy(module, spec)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the container's snippet modules and the declared heavy modules."""

    def __init__(self, container: Container) -> None:
        self._container = container

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        lab = self._container.lab
        if fullname in lab.code:
            spec = importlib.machinery.ModuleSpec(
                fullname, _Loader(self._container, fullname), origin=lab.filenames[fullname]
            )
            spec.has_location = True
            return spec
        if fullname in lab.settings.heavy_modules:
            return importlib.machinery.ModuleSpec(
                fullname, _Loader(self._container, fullname), origin="heavy"
            )
        return None


class Container:
    """A simulated execution environment: one process that serves many invocations.

    Attributes:
        id: `c1`, `c2`... in the order the lab started them.
        alive: False once the platform retired it.
        invocations: Invocations it has served (cold start included).
        retired_reason: Why it was retired (None while alive).
        init_ms: Virtual duration of its cold start's module code.
        tmp: Its `/tmp`.
        memory: Its memory account.
        singletons: Its singleton registry.
        connections: Database connections it opened (open or closed).
        started: True once its cold start began.
        last_end_us: Virtual time its last invocation ended (for the idle timeout).
        last_used: Order of its last use, for routing to the most recently used.
    """

    def __init__(self, lab: Lab, number: int) -> None:
        self.lab = lab
        self.id = f"c{number}"
        self.alive = True
        self.started = False
        self.invocations = 0
        self.retired_reason: str | None = None
        self.init_ms = 0.0
        self.last_end_us = 0
        self.last_used = 0
        self.tmp = TmpFS(lab.settings)
        self.memory = MemoryAccount(lab.settings)
        self.singletons = SingletonRegistry(self)
        self.connections: list[Connection] = []
        self._modules: dict[str, types.ModuleType] = {}
        self._heavy: dict[str, types.ModuleType] = {}
        self._lab_module = build_lab_module(Platform(self))
        self._run: _Run | None = None
        self._saved: dict[str, object] = {}

    def __repr__(self) -> str:
        state = "alive" if self.alive else f"retired: {self.retired_reason}"
        return f"<Container {self.id} {state}, {self.invocations} invocations>"

    # -- what fakes call ----------------------------------------------------------------

    def charge(self, ms: float) -> None:
        """Add virtual time to the running phase; past its limit, end it."""
        run = self._run
        if run is None:
            return
        run.elapsed_us += round(ms * _US_PER_MS)
        if run.limit_us is not None and run.elapsed_us > run.limit_us:
            run.elapsed_us = run.limit_us
            seconds = run.limit_us / _US_PER_S
            if run.phase == "init":
                raise PlatformAbort("InitTimeout", f"init phase passed its {seconds:.1f} s budget")
            raise PlatformAbort("Timeout", f"Task timed out after {seconds:.2f} seconds")

    def count(self, key: str, n: int = 1) -> None:
        """Count an operation (in the lab's totals and so in the running invocation)."""
        self.lab.count(key, n)

    def now_us(self) -> int:
        """The virtual time, in microseconds, as the running code sees it."""
        run = self._run
        if run is None:  # between invocations: now, or the end of its last one
            return max(self.lab.clock_us, self.last_end_us)
        return run.start_us + run.elapsed_us

    def now_s(self) -> float:
        """The virtual time, in seconds, as the running code sees it."""
        return self.now_us() / _US_PER_S

    def elapsed_ms(self) -> float:
        """Virtual milliseconds the running phase has taken so far."""
        return self._run.elapsed_us / _US_PER_MS if self._run else 0.0

    def import_heavy(self, name: str, spec: HeavyModule) -> types.ModuleType:
        """A heavy module for this container: made (and paid for) on first use only."""
        module = self._heavy.get(name)
        if module is None:
            module = types.ModuleType(name)
            self.fill_heavy(module, spec)
            if self._run is not None:
                if name not in self._saved:
                    self._saved[name] = sys.modules.get(name, _MISSING)
                sys.modules[name] = module
        return module

    def fill_heavy(self, module: types.ModuleType, spec: HeavyModule) -> None:
        """Charge a heavy module's import and give it its attributes."""
        self.charge(spec.seconds * 1000)
        self.memory.reserve(to_kb(spec.size_mb))
        self.count("heavy.import")
        module.__doc__ = f"A simulated heavy module ({spec.seconds:g} s, {spec.size_mb:g} MB)."
        module.SIZE_MB = spec.size_mb  # type: ignore[attr-defined]
        module.process = _identity  # type: ignore[attr-defined]
        self._heavy[module.__name__] = module

    # -- running code -------------------------------------------------------------------

    def execute(
        self, phase: str, start_us: int, limit_s: float | None, call: Callable[[], Any]
    ) -> Executed:
        """Run `call` as this container's code, isolated and metered (see module doc)."""
        if self._run is not None:
            raise LabError(f"container {self.id} is already running code")
        limit_us = None if limit_s is None else round(limit_s * _US_PER_S)
        run = _Run(phase=phase, start_us=start_us, limit_us=limit_us)
        output = io.StringIO()
        result: Any = None
        error: ErrorInfo | None = None
        fatal = False
        halted: SnippetHalted | None = None
        filenames = frozenset(self.lab.filenames.values())
        self._enter(run)
        old_stdout, old_stderr = sys.stdout, sys.stderr
        old_trace = sys.gettrace()
        sys.stdout = sys.stderr = output
        if self.lab.settings.step_budget is not None:
            sys.settrace(self._tracer(run, filenames))
        try:
            result = call()
        except SnippetHalted as exc:
            halted = exc
            fatal = True
            error = ErrorInfo("SnippetHalted", str(exc), phase, exc.filename, exc.line)
        except PlatformAbort as exc:
            fatal = True
            where = snippet_location(exc.__traceback__, filenames)
            error = ErrorInfo(exc.kind, str(exc), phase, *where)
        except SystemExit as exc:
            fatal = True
            where = snippet_location(exc.__traceback__, filenames)
            error = ErrorInfo("ExitError", f"the process exited (code {exc.code})", phase, *where)
        except Exception as exc:
            where = snippet_location(exc.__traceback__, filenames)
            error = ErrorInfo(type(exc).__name__, error_message(exc), phase, *where)
        finally:
            sys.settrace(old_trace)
            sys.stdout, sys.stderr = old_stdout, old_stderr
            self._leave()
        return Executed(result, error, run.elapsed_us, output.getvalue(), fatal, halted)

    def _tracer(self, run: _Run, filenames: frozenset[str]) -> Callable[[FrameType, str, Any], Any]:
        budget = self.lab.settings.step_budget or 0

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "line":
                run.steps += 1
                if run.steps > budget:
                    raise SnippetHalted(frame.f_code.co_filename, frame.f_lineno, run.phase, budget)
            return local

        def call(frame: FrameType, event: str, arg: Any) -> Any:
            if frame.f_code.co_filename in filenames:
                return local(frame, event, arg)
            return None

        return call

    def _enter(self, run: _Run) -> None:
        names = {*self.lab.code, *self.lab.settings.heavy_modules, *self._heavy, "lab"}
        self._saved = {name: sys.modules.pop(name, _MISSING) for name in names}
        sys.modules.update(self._modules)
        sys.modules.update(self._heavy)
        sys.modules["lab"] = self._lab_module
        sys.meta_path.insert(0, _Finder(self))
        self._run = run

    def _leave(self) -> None:
        self._run = None
        sys.meta_path[:] = [f for f in sys.meta_path if not _is_ours(f, self)]
        for name in self.lab.code:
            module = sys.modules.get(name)
            if isinstance(module, types.ModuleType):
                self._modules[name] = module
        for name, saved in self._saved.items():
            if saved is _MISSING:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = saved  # type: ignore[assignment]
        self._saved = {}

    # -- what the lab asks --------------------------------------------------------------

    def module(self, name: str | None = None) -> types.ModuleType | None:
        """One of the container's snippet modules (default: the entry), if loaded."""
        return self._modules.get(name or self.lab.entry)

    def globals(self, name: str | None = None) -> Mapping[str, Any]:
        """A read-only view of a snippet module's namespace (default: the entry)."""
        module = self.module(name)
        return types.MappingProxyType(module.__dict__ if module else {})

    def snapshot(self) -> Snapshot:
        """Every piece of module state, described (for the trace's state changes)."""
        shot: Snapshot = {}
        for name in self.lab.code:
            module = self._modules.get(name)
            if module is None:
                continue
            prefix = "" if name == self.lab.handler_module else f"{name}."
            for key, value in list(module.__dict__.items()):
                if key.startswith("__") or not is_state(value):
                    continue
                shot[prefix + key] = display(value)
        for key, value in self.singletons.items():
            shot[f"singleton[{key!r}]"] = display(value)
        return shot

    def retire(self, reason: str) -> None:
        """Take the container out of service: its connections close, its /tmp is gone."""
        if not self.alive:
            return
        self.alive = False
        self.retired_reason = reason
        for connection in self.connections:
            connection.close()


def _identity(value: Any) -> Any:
    """What a heavy module's `process(value)` does: return the value."""
    return value


def _is_ours(finder: object, container: Container) -> bool:
    return isinstance(finder, _Finder) and finder._container is container
