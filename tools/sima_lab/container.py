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
- gives the container its own entropy and random state: `os.urandom()` (and so
  `uuid.uuid4()` and `secrets`) draws from a deterministic stream of the container's
  own, `random`'s global generator continues the container's own sequence, and
  `random.seed()` without an argument seeds it from that stream; so runs are the
  same every time, and a container restored from a snapshot continues the
  snapshot's random sequence, as a restored SnapStart environment does;

and afterwards puts everything back as it was, including what the code changed for
the whole interpreter: the recursion limit, the builtins, `sys.modules` entries it
replaced or removed, the import path and hooks. Whatever the snippet raises
(`SystemExit`, `KeyboardInterrupt`, any `BaseException`) ends that invocation with an
error, as an uncaught exception ends a function's runtime process; only
[`Interrupted`][sima_lab.errors.Interrupted], the caller's own stop, goes through.
Nothing is left installed between calls, and nothing lives at module level: all state
is on the objects.

A container does not hold the lab. It is given what it runs, a frozen
[`Deployment`][sima_lab.container.Deployment] (settings, compiled code, file names,
entry and handler module), what its `lab` module reaches, the
[`Services`][sima_lab.platform.Services] (the shared fakes), and a
[`Host`][sima_lab.container.Host] it shares with the other containers of its lab (the
lab's clock and counts, and which container runs now).

A container restored from a snapshot (SnapStart, see
[`restore`][sima_lab.container.Container.restore]) shares its module objects with the
snapshot and with the other containers restored from it, so that functions and classes
keep working on "their" module globals; what differs is the contents of those
globals, a deep copy for each container that the lab puts in place whenever that
container runs code (the lab runs one container at a time).
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import errno
import importlib
import importlib.abc
import importlib.machinery
import io
import os
import random
import sys
import types
from collections.abc import Buffer, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import CodeType, FrameType, MappingProxyType, TracebackType
from typing import Any, NoReturn

from sima_lab.errors import Interrupted, LabError, PlatformAbort, SnippetHalted
from sima_lab.fakes import (
    RESTORE_ACCOUNT,
    BackgroundTask,
    Connection,
    MemoryAccount,
    SingletonRegistry,
    TmpFS,
    to_kb,
)
from sima_lab.limits import HeavyModule, LabSettings
from sima_lab.platform import Hook, Platform, Services, build_lab_module
from sima_lab.records import ErrorInfo
from sima_lab.state import Snapshot, display, is_state

_MISSING = object()
_US_PER_MS = 1000
_US_PER_S = 1_000_000


@dataclass(frozen=True)
class Deployment:
    """What a container runs: the function's code and settings, as the lab deployed it.

    The lab makes one when it starts its first container (after any
    [`mount`][sima_lab.lab.Lab.mount]), and every container of the lab runs it.

    Attributes:
        settings: Limits and costs.
        code: Compiled code of every snippet module, by module name.
        filenames: File name of every snippet module, by module name.
        entry: The snippet's own module (what `module()` and `globals()` default to).
        handler_module: The module whose `handler` each invocation calls.
    """

    settings: LabSettings
    code: Mapping[str, CodeType]
    filenames: Mapping[str, str]
    entry: str
    handler_module: str

    @classmethod
    def of(
        cls,
        settings: LabSettings,
        code: Mapping[str, CodeType],
        filenames: Mapping[str, str],
        *,
        entry: str,
        handler_module: str,
    ) -> Deployment:
        """A deployment holding read-only copies of the tables."""
        return cls(
            settings,
            MappingProxyType(dict(code)),
            MappingProxyType(dict(filenames)),
            entry,
            handler_module,
        )

    @property
    def files(self) -> frozenset[str]:
        """Every snippet module's file name: where tracebacks and the step count look."""
        return frozenset(self.filenames.values())


class Host:
    """What the containers of one lab share with it: its clock, its counts, and which
    container runs code at this moment (the lab runs one at a time).

    Args:
        clock_us: The lab's clock between invocations, in virtual microseconds.
        count: Adds to the lab's count of an operation (`db.connect`...).

    Attributes:
        running: The container running code now, or None.
    """

    def __init__(self, clock_us: Callable[[], int], count: Callable[[str, int], None]) -> None:
        self.clock_us = clock_us
        self.count = count
        self.running: Container | None = None


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


def _seed(a: Any = None, version: int = 2) -> None:
    """`random.seed()` in snippet code: without an argument, seeded from `os.urandom()`,
    which is the running container's entropy (CPython would read the real one)."""
    if a is None:
        a = os.urandom(32)
    random.Random.seed(getattr(random, "_inst"), a, version)  # noqa: B009


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
    killed: ErrorInfo | None = None  # the platform ended it (a timeout): for good


@dataclass
class _Family:
    """The containers restored from one snapshot, and the snapshot itself.

    They share module objects; `current` is the one whose globals the modules hold.
    """

    modules: dict[str, types.ModuleType]
    current: Container
    members: list[Container] = field(default_factory=list)


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
        code = self._container.deployment.code.get(self._name)
        if code is not None:
            exec(code, module.__dict__)
            return
        spec = self._container.deployment.settings.heavy_modules[self._name]
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
        deployment = self._container.deployment
        if fullname in deployment.code:
            spec = importlib.machinery.ModuleSpec(
                fullname, _Loader(self._container, fullname), origin=deployment.filenames[fullname]
            )
            spec.has_location = True
            return spec
        if fullname in deployment.settings.heavy_modules:
            return importlib.machinery.ModuleSpec(
                fullname, _Loader(self._container, fullname), origin="heavy"
            )
        return None


class Container:
    """A simulated execution environment: one process that serves many invocations.

    Args:
        deployment: The code it runs and the settings it runs under.
        services: The fakes outside the process that its `lab` module reaches.
        host: What it shares with the other containers of its lab.
        number: Its number; its id is `prefix` and this.
        prefix: `c` for a container, `s` for a SnapStart snapshot.

    Attributes:
        deployment: The code it runs and the settings it runs under.
        host: What it shares with the other containers of its lab.
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
        restored_from: The snapshot it was restored from (`s1`...), or None.
        after_restore: Hooks registered with `register_after_restore`: (function,
            args, kwargs) in the order of registration.
        before_snapshot: Hooks registered with `register_before_snapshot`.
        tasks: Background tasks started in it (`start_background`), oldest first.
        init_counts: What its module code did (a snapshot's: at snapshot time).
        init_output: What its module code printed.
        init_error: How its module code failed, or None.
        random_state: The state of `random`'s global generator as its code left it.
    """

    def __init__(
        self,
        deployment: Deployment,
        services: Services,
        host: Host,
        number: int,
        *,
        prefix: str = "c",
    ) -> None:
        self.deployment = deployment
        self.host = host
        self.id = f"{prefix}{number}"
        self.alive = True
        self.started = False
        self.invocations = 0
        self.retired_reason: str | None = None
        self.init_ms = 0.0
        self.last_end_us = 0
        self.last_used = 0
        self.tmp = TmpFS(deployment.settings)
        self.memory = MemoryAccount(deployment.settings)
        self.singletons = SingletonRegistry(self)
        self.connections: list[Connection] = []
        self.restored_from: str | None = None
        self.after_restore: list[Hook] = []
        self.before_snapshot: list[Hook] = []
        self.tasks: list[BackgroundTask] = []
        self.init_counts: dict[str, int] = {}
        self.init_output = ""
        self.init_error: ErrorInfo | None = None
        self.invocation = 0  # the number of the invocation running (or last run) on it
        self.finished: list[str] = []  # tasks whose function ran during this invocation
        self._entropy = random.Random(f"sima-lab-entropy:{self.id}")
        self.random_state: Any = random.Random(f"sima-lab-random:{self.id}").getstate()
        self._modules: dict[str, types.ModuleType] = {}
        self._heavy: dict[str, types.ModuleType] = {}
        self._platform = Platform(self, services)
        self._lab_module = build_lab_module(self._platform)
        self._run: _Run | None = None
        self._saved: dict[str, object] = {}
        self._family: _Family | None = None
        self._globals: dict[str, dict[str, Any]] = {}  # its module contents, while not current
        self._outer: Container | None = None

    def __repr__(self) -> str:
        state = "alive" if self.alive else f"retired: {self.retired_reason}"
        return f"<Container {self.id} {state}, {self.invocations} invocations>"

    # -- what fakes call ----------------------------------------------------------------

    def _meter(self) -> Container:
        """The container whose clock a call costs: this one, or, when a handle it made
        (a connection from a snapshot's module code) is used by another container's
        code, the container running now."""
        running = self.host.running
        return running if self._run is None and running is not None else self

    def charge(self, ms: float) -> None:
        """Add virtual time to the running phase; past its limit, end it."""
        meter = self._meter()
        run = meter._run
        if run is None:
            return
        if run.killed is not None:  # code that caught the kill is stopped at its next cost
            raise PlatformAbort(run.killed.type, run.killed.message)
        run.elapsed_us += round(ms * _US_PER_MS)
        if run.limit_us is not None and run.elapsed_us > run.limit_us:
            run.elapsed_us = run.limit_us
            seconds = run.limit_us / _US_PER_S
            if run.phase == "init":
                kind, message = "InitTimeout", f"init phase passed its {seconds:.1f} s budget"
            elif run.phase == "restore":
                kind = "RestoreTimeout"
                message = f"after-restore hooks passed their {seconds:.1f} s budget"
            else:
                kind, message = "Timeout", f"Task timed out after {seconds:.2f} seconds"
            where = meter._caller()
            run.killed = ErrorInfo(kind, message, run.phase, *where)
            raise PlatformAbort(kind, message)

    def _caller(self) -> tuple[str | None, int | None]:
        """The innermost line of snippet code on the stack (where a kill happened)."""
        filenames = self.deployment.files
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename in filenames:
                return frame.f_code.co_filename, frame.f_lineno
            frame = frame.f_back
        return None, None

    def count(self, key: str, n: int = 1) -> None:
        """Count an operation (in the lab's totals and so in the running invocation)."""
        self.host.count(key, n)

    def now_us(self) -> int:
        """The virtual time, in microseconds, as the running code sees it."""
        meter = self._meter()
        run = meter._run
        if run is None:  # between invocations: now, or the end of its last one
            return max(self.host.clock_us(), self.last_end_us)
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

    def urandom(self, size: int) -> bytes:
        """`os.urandom(size)` for this container's code: its own deterministic stream."""
        if not isinstance(size, int) or size < 0:
            raise ValueError(f"negative or non-integer size: {size!r}")
        return self._entropy.randbytes(size)

    # -- background work ----------------------------------------------------------------

    def start_task(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        work_ms: float,
        name: str,
    ) -> BackgroundTask:
        """A background task of this container (what `start_background()` calls)."""
        task = BackgroundTask(
            self,
            fn,
            args,
            kwargs,
            work_ms=work_ms,
            name=name or getattr(fn, "__name__", "task"),
            started_in=self.invocation,
            now_us=self.now_us(),
        )
        self.tasks.append(task)
        self.count("background.start")
        return task

    def pending_tasks(self) -> list[BackgroundTask]:
        """Its background tasks whose function has not run yet."""
        return [task for task in self.tasks if not task.done]

    def join_task(self, task: BackgroundTask) -> None:
        """Wait for `task` inside running code: charge its remaining work, run `fn`."""
        if task.done:
            return
        if self._run is None:
            raise LabError("a background task can only be joined by code its container runs")
        now = self.now_us()
        done_us = task.progress_us + max(0, now - task.mark_us)
        remaining_us = round(task.work_ms * _US_PER_MS) - done_us
        if remaining_us > 0:
            self.charge(remaining_us / _US_PER_MS)
        task.progress_us = round(task.work_ms * _US_PER_MS)
        task.mark_us = self.now_us()
        self._finish(task)

    def resume_tasks(self, start_us: int) -> None:
        """Thaw: pending tasks advance again from `start_us` (an invocation's start)."""
        for task in self.pending_tasks():
            task.mark_us = start_us

    def freeze_tasks(self, end_us: int) -> list[tuple[BackgroundTask, Executed]]:
        """Freeze at `end_us` (the invocation's end): count each pending task's work up
        to then, and run the function of each whose work is complete, in a `background`
        phase of its own (its costs are the task's, not the invocation's). Returns each
        task run with what its phase did; stops at a failure that ends the process."""
        runs: list[tuple[BackgroundTask, Executed]] = []
        for task in self.pending_tasks():
            task.progress_us += max(0, end_us - task.mark_us)
            task.mark_us = end_us
            if task.progress_us < round(task.work_ms * _US_PER_MS):
                continue
            run = self.execute("background", end_us, None, partial(self._finish, task))
            runs.append((task, run))
            if run.error is not None:  # a platform failure: the process ends
                task.finished_in = self.invocation
                task.error = str(run.error)
                break
        return runs

    def _finish(self, task: BackgroundTask) -> None:
        """Run a task's function; an exception it raises is the task's, not the caller's."""
        task.finished_in = self.invocation
        self.finished.append(task.name)
        try:
            task.fn(*task.args, **task.kwargs)
        except Exception as exc:  # a thread's exception does not end the process
            task.error = f"{type(exc).__name__}: {error_message(exc)}"
            print(f"background task {task.name!r} raised {task.error}")

    # -- snapshots ----------------------------------------------------------------------

    def restore(self, snapshot: Container) -> None:
        """Become a copy of `snapshot`, then run its after-restore hooks in order.

        Called inside this container's `restore` phase. The copy shares the snapshot's
        module objects and the fakes' handles (connections and clients stand for things
        outside the process); module globals, singletons, the hooks' arguments and the
        random state are deep copies, `/tmp` files and memory are carried over. Values
        that cannot be copied are shared.
        """
        snapshot._load()
        family = snapshot._family
        if family is None:
            family = _Family(dict(snapshot._modules), snapshot, [snapshot])
            snapshot._family = family
        memo: dict[Any, Any] = {
            id(snapshot): self,
            id(snapshot._platform): self._platform,
            id(snapshot._lab_module): self._lab_module,
            id(snapshot.singletons): self.singletons,
            id(snapshot.memory): self.memory,
            id(snapshot.tmp): self.tmp,
            RESTORE_ACCOUNT: self.memory,
        }
        for name, value in snapshot._lab_module.__dict__.items():
            memo[id(value)] = self._lab_module.__dict__.get(name, value)
        for module in (*family.modules.values(), *snapshot._heavy.values()):
            memo[id(module)] = module
            memo[id(module.__dict__)] = module.__dict__
        self.restored_from = snapshot.id
        self._family = family
        family.members.append(self)
        self._modules = dict(family.modules)
        self._heavy = dict(snapshot._heavy)
        for module in self._heavy.values():
            self.memory.reserve(to_kb(getattr(module, "SIZE_MB", 0)))
        self._globals = {
            name: _copied(module.__dict__, memo) for name, module in family.modules.items()
        }
        for key, value in snapshot.singletons.items():
            self.singletons.put(key, _copy(value, memo))
        self.tmp.copy_from(snapshot.tmp)
        self.random_state = snapshot.random_state
        generator = getattr(random, "_inst", None)
        if generator is not None:  # the hooks continue the snapshot's sequence
            random.Random.setstate(generator, snapshot.random_state)
        self.after_restore = [_copy(hook, memo) for hook in snapshot.after_restore]
        self.before_snapshot = [_copy(hook, memo) for hook in snapshot.before_snapshot]
        self._load()
        sys.modules.update(self._modules)
        for name, module in self._heavy.items():
            if name not in self._saved:
                self._saved[name] = sys.modules.get(name, _MISSING)
            sys.modules[name] = module
        for func, args, kwargs in self.after_restore:
            func(*args, **kwargs)

    def _load(self) -> None:
        """Put this container's module globals into the modules it shares."""
        family = self._family
        if family is None or family.current is self:
            return
        current = family.current
        current._globals = {name: dict(module.__dict__) for name, module in family.modules.items()}
        for name, module in family.modules.items():
            namespace = module.__dict__
            namespace.clear()
            namespace.update(self._globals.get(name, {}))
        family.current = self
        self._globals = {}

    # -- running code -------------------------------------------------------------------

    def execute(
        self, phase: str, start_us: int, limit_s: float | None, call: Callable[[], Any]
    ) -> Executed:
        """Run `call` as this container's code, isolated and metered (see module doc)."""
        if self._run is not None:
            raise LabError(f"container {self.id} is already running code")
        limit_us = None if limit_s is None else round(limit_s * _US_PER_S)
        run = _Run(phase=phase, start_us=start_us, limit_us=limit_us)
        settings = self.deployment.settings
        output = CappedOutput(settings.output_lines, settings.output_chars)
        result: Any = None
        error: ErrorInfo | None = None
        fatal = False
        halted: SnippetHalted | None = None
        filenames = self.deployment.files
        saved = _Interpreter.save()
        posix = _posix()
        posix_exit = getattr(posix, "_exit", None)
        entropy = (os.urandom, getattr(random, "_urandom", None), random.seed)
        generator = getattr(random, "_inst", None)
        state = random.Random.getstate(generator) if generator is not None else None
        self._enter(run)
        old_stdout, old_stderr = sys.stdout, sys.stderr
        old_trace = sys.gettrace()
        sys.stdout = sys.stderr = output.stream
        os._exit, os.abort = _exit, _abort
        os.urandom = self.urandom
        random._urandom = self.urandom  # type: ignore[attr-defined]
        random.seed = _seed
        if generator is not None:
            random.Random.setstate(generator, self.random_state)
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
            if run.killed is not None and (error is None or error.type != run.killed.type):
                # the code caught the kill and carried on: the platform ended it anyway
                result, error, fatal = None, run.killed, True
            if posix_exit is not None:
                posix._exit = posix_exit  # type: ignore[union-attr]
            sys.stdout, sys.stderr = old_stdout, old_stderr
            if generator is not None and state is not None:
                self.random_state = random.Random.getstate(generator)
                random.Random.setstate(generator, state)
                random._inst = generator
            os.urandom, random.seed = entropy[0], entropy[2]
            if entropy[1] is not None:
                random._urandom = entropy[1]  # type: ignore[attr-defined]
            self._leave()
            saved.restore()
        return Executed(result, error, run.elapsed_us, output.getvalue(), fatal, halted)

    def _tracer(self, run: _Run, filenames: frozenset[str]) -> Callable[[FrameType, str, Any], Any]:
        budget = self.deployment.settings.step_budget or 0

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "line":
                if run.killed is not None:  # it caught the kill: stop it at its next line
                    raise PlatformAbort(run.killed.type, run.killed.message)
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
        self._load()
        deployment = self.deployment
        names = {*deployment.code, *deployment.settings.heavy_modules, *self._heavy, "lab"}
        self._saved = {name: sys.modules.pop(name, _MISSING) for name in names}
        sys.modules.update(self._modules)
        sys.modules.update(self._heavy)
        sys.modules["lab"] = self._lab_module
        sys.meta_path.insert(0, _Finder(self))
        self._run = run
        self._outer = self.host.running
        self.host.running = self

    def _leave(self) -> None:
        self._run = None
        self.host.running = self._outer
        sys.meta_path[:] = [f for f in sys.meta_path if not _is_ours(f, self)]
        for name in self.deployment.code:
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
        """One of the container's snippet modules (default: the entry), if loaded.

        For a restored container the module is shared with its snapshot family, and
        holds this container's globals until another member runs code.
        """
        self._load()
        return self._modules.get(name or self.deployment.entry)

    def globals(self, name: str | None = None) -> Mapping[str, Any]:
        """A read-only view of a snippet module's namespace (default: the entry).

        For a container restored from a snapshot, a view of a copy taken now (its
        module is shared with the other restored containers).
        """
        module = self.module(name)
        if module is None:
            return types.MappingProxyType({})
        if self._family is not None:
            return types.MappingProxyType(dict(module.__dict__))
        return types.MappingProxyType(module.__dict__)

    def snapshot(self) -> Snapshot:
        """Every piece of module state, described (for the trace's state changes)."""
        self._load()
        shot: Snapshot = {}
        for name in self.deployment.code:
            module = self._modules.get(name)
            if module is None:
                continue
            prefix = "" if name == self.deployment.handler_module else f"{name}."
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


def _copy(value: Any, memo: dict[Any, Any]) -> Any:
    """A deep copy for a restored container; the value itself when it cannot be copied.

    A hook is a tuple whose first item may be a builtin method (`CACHE.clear`), which
    `copy` would share: it is bound again to the copy of its object.
    """
    if isinstance(value, tuple) and value and isinstance(value[0], types.BuiltinMethodType):
        return (_copy(value[0], memo), *(_copy(item, memo) for item in value[1:]))
    owner = getattr(value, "__self__", None)
    if isinstance(value, types.BuiltinMethodType) and not isinstance(
        owner, types.ModuleType | type(None)
    ):
        return getattr(_copy(owner, memo), value.__name__, value)
    try:
        return copy.deepcopy(value, memo)
    except Interrupted:
        raise
    except Exception:
        return value


def _copied(namespace: dict[str, Any], memo: dict[Any, Any]) -> dict[str, Any]:
    """A module's globals for a restored container: dunders as they are, the rest copied."""
    return {
        key: value if key.startswith("__") and key.endswith("__") else _copy(value, memo)
        for key, value in list(namespace.items())
    }


def _identity(value: Any) -> Any:
    """What a heavy module's `process(value)` does: return the value."""
    return value


def _is_ours(finder: object, container: Container) -> bool:
    return isinstance(finder, _Finder) and finder._container is container
