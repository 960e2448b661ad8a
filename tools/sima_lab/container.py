"""One simulated container: its own module namespaces, `/tmp`, memory and singletons.

Snippet code only ever runs inside [`Container.execute`][sima_lab.container.Container.execute],
which for the duration of the call

- puts this container's modules (its snippet modules, its heavy modules and its own
  `lab` module) into `sys.modules` and a meta-path finder in front of `sys.meta_path`,
  so that imports among the snippet's modules resolve to this container's copies;
- sends `print` output to the invocation's log, up to `settings.output_lines` lines
  and `settings.output_chars` characters (the rest is counted and dropped at once, so
  a flood of output costs little and a line says how much was left out);
- counts the snippet's lines with `sys.settrace`, to stop an endless loop;
- turns `os._exit()` and `os.abort()` into the end of the simulated process rather
  than of the real one;

and afterwards puts everything back as it was, including what the code changed for
the whole interpreter: the recursion limit, the builtins, `sys.modules` entries it
replaced or removed, the import path and hooks. Whatever the snippet raises
(`SystemExit`, `KeyboardInterrupt`, any `BaseException`) ends that invocation with an
error, as an uncaught exception ends a function's runtime process; only
[`Interrupted`][sima_lab.errors.Interrupted], the caller's own stop, goes through.
Nothing is left installed between calls, and nothing lives at module level: all state
is on the objects.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import importlib
import importlib.abc
import importlib.machinery
import io
import os
import sys
import types
from collections.abc import Buffer, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

from sima_lab.errors import Interrupted, LabError, PlatformAbort, SnippetHalted
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


def cut_note(chars: int, lines: int) -> str:
    """The line that says how much output was left out."""

    def count(n: int, what: str) -> str:
        return f"{n:,} {what}" + ("" if n == 1 else "s")

    return f"[output cut: {count(lines, 'more line')} ({count(chars, 'character')}) not shown]\n"


#: UTF-8 continuation bytes: every other byte starts a character.
_CONTINUATION = bytes(range(0x80, 0xC0))


class _Kept(io.RawIOBase):
    """The end of [`CappedOutput`][sima_lab.container.CappedOutput]'s stream: keeps
    the first lines and characters and counts the rest, 64 KB at a time."""

    def __init__(self, max_lines: int, max_chars: int) -> None:
        super().__init__()
        self.kept = bytearray()
        self.full = False
        self.dropped_chars = 0
        self.dropped_lines = 0
        self.last = b""
        self._lines_left = max(0, max_lines)
        self._bytes_left = max(0, max_chars)  # a character is one byte or more

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        chunk = bytes(data)
        size = len(chunk)
        if not self.full:
            end = min(size, self._bytes_left)
            full = end < size
            if chunk.count(b"\n", 0, end) >= self._lines_left:  # up to the last line's end
                end = 0
                for _ in range(self._lines_left):
                    end = chunk.index(b"\n", end) + 1
                full = True
            while 0 < end < size and chunk[end] & 0xC0 == 0x80:
                end -= 1  # not inside a character
            self.kept += chunk[:end]
            self._bytes_left -= end
            self._lines_left -= chunk.count(b"\n", 0, end)
            chunk = chunk[end:]
            if full:
                self.full = True
                if chunk.startswith(b"\n") and self.kept and not self.kept.endswith(b"\n"):
                    self.dropped_lines -= 1  # the end of a line that is shown
        if chunk:
            self.dropped_chars += len(chunk.translate(None, _CONTINUATION))
            self.dropped_lines += chunk.count(b"\n")
            self.last = chunk
        return size


class CappedOutput:
    """Where snippet code prints: keeps `max_lines` lines and `max_chars` characters.

    `stream` is a real text stream (`sys.stdout.buffer`, `flush()` and the rest work)
    that passes what it was given on 64 KB at a time, so a `print` costs little more
    than with a StringIO: Python code runs once per 64 KB, not once per call. Past
    either limit the output is only counted and dropped;
    [`getvalue`][sima_lab.container.CappedOutput.getvalue] ends with a line saying how
    much was left out.
    """

    def __init__(self, max_lines: int, max_chars: int) -> None:
        self._kept = _Kept(max_lines, max_chars)
        # Straight onto the pipe's end: a BufferedWriter between them costs more per
        # write (in Pyodide, twice a StringIO's) than it saves.
        self.stream = io.TextIOWrapper(  # type: ignore[type-var]  # a raw stream serves too
            self._kept,
            encoding="utf-8",
            errors="surrogatepass",  # any str prints, as with a StringIO
            newline="\n",
        )
        self.stream._CHUNK_SIZE = 1 << 16  # type: ignore[attr-defined]  # text kept before a write

    def getvalue(self) -> str:
        """What was kept, and a line saying what was not (when something was dropped)."""
        with contextlib.suppress(ValueError, OSError):  # the code closed or detached it
            self.stream.flush()
        kept = self._kept
        text = kept.kept.decode("utf-8", "surrogatepass")
        if not kept.dropped_chars:
            return text
        lines = kept.dropped_lines + (not kept.last.endswith(b"\n"))
        if text and not text.endswith("\n"):
            text += "\n"
        return text + cut_note(kept.dropped_chars, lines)


def _exit(status: int) -> NoReturn:
    """`os._exit()` in snippet code: the simulated process ends, not the real one."""
    raise PlatformAbort("ExitError", f"the process exited (code {status}) through os._exit()")


def _abort() -> NoReturn:
    """`os.abort()` in snippet code: likewise."""
    raise PlatformAbort("ExitError", "the process aborted (os.abort())")


@dataclass
class _Interpreter:
    """What snippet code may change for the whole interpreter, saved to put back."""

    recursion_limit: int
    profile: Any
    modules: dict[str, Any]
    builtins: dict[str, Any]
    path: list[str]
    meta_path: list[Any]
    path_hooks: list[Any]
    hooks: tuple[Any, ...]
    exits: tuple[Any, ...]

    @classmethod
    def save(cls) -> _Interpreter:
        return cls(
            recursion_limit=sys.getrecursionlimit(),
            profile=sys.getprofile(),
            modules=dict(sys.modules),
            builtins=dict(builtins.__dict__),
            path=list(sys.path),
            meta_path=list(sys.meta_path),
            path_hooks=list(sys.path_hooks),
            hooks=(sys.stdin, sys.excepthook, sys.displayhook, sys.unraisablehook),
            exits=(os._exit, os.abort),
        )

    def restore_builtins(self) -> None:
        """Put the builtins back first: everything after may call them."""
        names = builtins.__dict__
        if not _same(names, self.builtins):
            names.clear()
            names.update(self.builtins)

    def restore(self) -> None:
        """Put back the rest (the builtins were already)."""
        os._exit, os.abort = self.exits
        sys.stdin, sys.excepthook, sys.displayhook, sys.unraisablehook = self.hooks
        sys.setrecursionlimit(self.recursion_limit)
        sys.setprofile(self.profile)
        if sys.path != self.path:
            sys.path[:] = self.path
        if sys.meta_path != self.meta_path:
            sys.meta_path[:] = self.meta_path
        if sys.path_hooks != self.path_hooks:
            sys.path_hooks[:] = self.path_hooks
        modules = sys.modules
        if _same(modules, self.modules):
            return
        for name, module in self.modules.items():
            if modules.get(name, _MISSING) is not module:
                modules[name] = module
        for name in [n for n, m in modules.items() if not isinstance(m, types.ModuleType)]:
            if name not in self.modules:
                del modules[name]  # None (or any non-module) would block that import


def _same(now: dict[str, Any], saved: dict[str, Any]) -> bool:
    """Whether a table is as it was: compared in C (no builtin called), and False when
    an object the code left in it answers the comparison by raising."""
    try:
        return now == saved
    except Interrupted:
        raise
    except BaseException:  # an __eq__ of the snippet's: put everything back
        return False


def _posix() -> types.ModuleType | None:
    return sys.modules.get("posix") or sys.modules.get("nt")


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
        settings = self.lab.settings
        output = CappedOutput(settings.output_lines, settings.output_chars)
        result: Any = None
        error: ErrorInfo | None = None
        fatal = False
        halted: SnippetHalted | None = None
        filenames = frozenset(self.lab.filenames.values())
        saved = _Interpreter.save()
        posix = _posix()
        posix_exit = getattr(posix, "_exit", None)
        self._enter(run)
        old_stdout, old_stderr = sys.stdout, sys.stderr
        old_trace = sys.gettrace()
        sys.stdout = sys.stderr = output.stream
        os._exit, os.abort = _exit, _abort
        if posix_exit is not None:
            posix._exit = _exit  # type: ignore[union-attr]
        if settings.step_budget is not None:
            sys.settrace(self._tracer(run, filenames))
        try:
            try:
                result = call()
            finally:
                saved.restore_builtins()
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
        except Interrupted:
            raise
        except Exception as exc:
            where = snippet_location(exc.__traceback__, filenames)
            error = ErrorInfo(type(exc).__name__, error_message(exc), phase, *where)
        except BaseException as exc:  # KeyboardInterrupt...: the runtime process ends
            fatal = True
            where = snippet_location(exc.__traceback__, filenames)
            error = ErrorInfo(type(exc).__name__, error_message(exc), phase, *where)
        finally:
            sys.settrace(old_trace)
            if posix_exit is not None:
                posix._exit = posix_exit  # type: ignore[union-attr]
            sys.stdout, sys.stderr = old_stdout, old_stderr
            self._leave()
            saved.restore()
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
