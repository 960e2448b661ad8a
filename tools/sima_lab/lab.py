"""The lab: containers, a router, a virtual clock and the trace of every invocation.

A [`Lab`][sima_lab.lab.Lab] holds one snippet's code (one module, or several that
import each other) and simulates the life of the function's containers while a
scenario drives it:

- `invoke(event)` routes to the most recently used idle container, or cold-starts a
  new one (the module code runs in a fresh namespace); the next invocation on that
  container is warm (the same namespace again);
- `invoke_concurrently(events)` starts the events at the same moment, so each needs
  its own container: state bugs then show up only on some requests, as in production;
- `advance(seconds)` lets time pass; containers idle past `settings.idle_timeout`
  are retired, and so is a container after `settings.recycle_after` invocations;
- `deliver(event)` delivers an event as Lambda's asynchronous invocations and
  event-source mappings do, at least once: a failed invocation is retried with the
  same request id after `settings.async_retry_delays`, and `duplicates=` delivers the
  same event again, as a queue may;
- every handler has a deadline: `context.get_remaining_time_in_millis()` counts down
  on the virtual clock from `settings.timeout`, and the cost that passes it is cut
  off (the record says `timed_out`; what was written before stays written);
- with `settings.snapstart`, containers start from a snapshot: the module code runs
  once in a snapshot environment, and each new container is a copy of it that runs
  the after-restore hooks instead (`register_after_restore`);
- after the handler returns, the container is frozen: background work started with
  `start_background` advances only while an invocation runs on its container, so it
  may finish during a later invocation, or never if the container retires.

Time is virtual: the declared costs of what the code does are added up, never slept,
so a thousand invocations take milliseconds. Everything the lab knows lives on the
Lab object; two labs share nothing. Its containers get only what they need of it (see
[`sima_lab.container`][sima_lab.container]); the records it writes are in
[`sima_lab.records`][sima_lab.records].

A snippet can also be one module of a small package whose handler lives in another
module: [`mount`][sima_lab.lab.Lab.mount] gives the snippet the module name the other
modules import it by and names the module whose `handler` the platform calls, so that
a gateway, an interface or a core can be the file under test (see ARCH-02).

Limits of the model: concurrent invocations run one after the other (their overlap
is judged on the virtual clock); threads a snippet starts are not simulated (the
lab's `start_background` stands for them); while a container runs, its module names
hide real modules of the same names; a loop inside C code (`list(itertools.count())`)
is beyond the step budget's reach. A restored container deep-copies its module
globals from the snapshot; state kept in closures, default arguments or class
attributes stays shared with the snapshot, and so does anything that cannot be
copied.
"""

from __future__ import annotations

import copy
import importlib
import posixpath
from collections.abc import Mapping, Sequence
from types import CodeType
from typing import Any

from sima_lab.container import Container, Deployment, Executed, Host
from sima_lab.errors import LabError
from sima_lab.fakes import (
    Database,
    DatabaseProxy,
    LambdaContext,
    ObjectStore,
    ParameterStore,
    Table,
)
from sima_lab.limits import LabSettings
from sima_lab.platform import Services
from sima_lab.records import ErrorInfo, Invocation
from sima_lab.state import diff
from sima_lab.trace import format_trace

_US_PER_MS = 1000
_US_PER_S = 1_000_000


def module_name(filename: str) -> str:
    """The module name a snippet file gets: its stem, if that is an identifier."""
    stem = posixpath.basename(filename.replace("\\", "/")).rsplit(".", 1)[0]
    return stem if stem.isidentifier() and stem != "lab" else "snippet"


class Lab:
    """A simulated serverless function: one snippet's code, its containers, the clock.

    Args:
        source: The entry module's code (the one defining `handler(event, context)`).
        filename: The entry's file name, as errors should show it
            (`snippets/LESS-22/mistake1_user_sessions.py`).
        modules: Other modules the entry imports, `{module_name: source}`; each is
            shown as `<name>.py` beside `filename`.
        entry: The entry's module name (default: the file's stem).
        settings: Limits and costs (default: [`LabSettings()`][sima_lab.limits.LabSettings]).

    Raises:
        SyntaxError: A module does not compile.
        LabError: A module name is not usable.

    Attributes:
        settings: Limits and costs; change them before the first invocation.
        db: The database server all containers share.
        db_proxy: The connection proxy in front of it (`connect_db_proxy()`).
        params: The parameter store.
        objects: The object store.
        table: The key-value table with conditional writes (`table()`).
        running: The container running code at this moment, or None.
        entry: The entry module's name.
        filename: The entry's file name.
        filenames: File name of every module, by module name.
        code: Compiled code of every module, by module name.
        sources: Source text of every module, by module name (for checks that read
            the code itself, such as which modules import which).
        handler_module: The module whose `handler(event, context)` each invocation
            calls, and which a cold start imports: the entry, unless
            [`mount`][sima_lab.lab.Lab.mount] named another.
    """

    def __init__(
        self,
        source: str,
        *,
        filename: str = "snippet.py",
        modules: Mapping[str, str] | None = None,
        entry: str | None = None,
        settings: LabSettings | None = None,
    ) -> None:
        self.settings = settings if settings is not None else LabSettings()
        self.filename = filename
        self.entry = entry or module_name(filename)
        sources = {self.entry: source, **(modules or {})}
        self.sources: dict[str, str] = dict(sources)
        folder = posixpath.dirname(filename.replace("\\", "/"))
        self.filenames: dict[str, str] = {}
        self.code: dict[str, CodeType] = {}
        for name, text in sources.items():
            if not name.isidentifier() or name == "lab":
                raise LabError(f"{name!r} cannot be a module name (reserved or not an identifier)")
            path = filename if name == self.entry else posixpath.join(folder, f"{name}.py")
            self.filenames[name] = path
            self.code[name] = compile(text, path, "exec", dont_inherit=True)
        self.db = Database(self.settings)
        self.db_proxy = DatabaseProxy(self.db, self.settings)
        self.params = ParameterStore(self.settings)
        self.objects = ObjectStore(self.settings)
        self.table = Table(self.settings)
        self._host = Host(lambda: self._now_us, self.count)
        self._deployment: Deployment | None = None
        self._now_us = 0
        self._containers: list[Container] = []
        self._snapshots: list[Container] = []
        self._trace: list[Invocation] = []
        self._counts: dict[str, int] = {}
        self._notes: list[str] = []
        self._uses = 0
        self.handler_module = self.entry

    # -- what scenarios read ------------------------------------------------------------

    @property
    def running(self) -> Container | None:
        """The container running code at this moment, or None."""
        return self._host.running

    @property
    def now(self) -> float:
        """Virtual seconds since the lab started."""
        return self._now_us / _US_PER_S

    @property
    def clock_us(self) -> int:
        """Virtual microseconds since the lab started (the clock between invocations)."""
        return self._now_us

    @property
    def containers(self) -> list[Container]:
        """Containers still in service, oldest first."""
        return [c for c in self._containers if c.alive]

    @property
    def all_containers(self) -> list[Container]:
        """Every container the lab started, retired ones included, oldest first."""
        return list(self._containers)

    def container(self, container_id: str) -> Container:
        """The container with that id (`c1`...), alive or retired."""
        for candidate in self._containers:
            if candidate.id == container_id:
                return candidate
        raise LabError(f"no container {container_id!r} (started: {self._ids()})")

    @property
    def snapshot(self) -> Container | None:
        """The SnapStart snapshot new containers are restored from (None before the
        first cold start with `settings.snapstart`, or when taking it failed).

        Its module code ran once, when the snapshot was taken; its `init_ms`,
        `init_counts` and `init_output` say what that did. It never serves a request.
        """
        latest = self._snapshots[-1] if self._snapshots else None
        return latest if latest is not None and latest.init_error is None else None

    @property
    def trace(self) -> list[Invocation]:
        """Every invocation so far, in order."""
        return list(self._trace)

    @property
    def failures(self) -> list[Invocation]:
        """The invocations that ended with an error."""
        return [record for record in self._trace if record.error is not None]

    @property
    def counts(self) -> dict[str, int]:
        """What the fakes did in all, e.g. `{"db.connect": 3, "db.query": 12}`."""
        return dict(sorted(self._counts.items()))

    def count(self, key: str, n: int = 1) -> None:
        """Count an operation (fakes call this through their container)."""
        self._counts[key] = self._counts.get(key, 0) + n

    def format_trace(self) -> str:
        """The trace as a plain-text table (see [`format_trace`][sima_lab.trace.format_trace])."""
        return format_trace(self._trace)

    # -- what scenarios do --------------------------------------------------------------

    def mount(self, name: str, *, handler: str) -> None:
        """Run the snippet as module `name` of a package whose handler is in `handler`.

        For a snippet that is one layer of a small application (a gateway, an
        interface, a core) rather than the module with the handler: the snippet's code
        becomes module `name`, the one the other modules import, taking the place of a
        module of that name if the lab holds one; and each invocation calls
        `handler(event, context)` of module `handler` (a cold start imports that
        module, which imports the rest as its code asks). Errors and the step budget
        still point at the snippet's own file. Call it before the first invocation.

        Args:
            name: The module name the snippet takes (`core_cache`).
            handler: The module that defines `handler(event, context)` (`app`); it
                may be `name` itself.

        Raises:
            LabError: An invocation already ran, `name` is not a usable module name,
                or the lab holds no module `handler`.
        """
        if self._containers:
            raise LabError("mount() must come before the first invocation")
        if not name.isidentifier() or name == "lab":
            raise LabError(f"{name!r} cannot be a module name (reserved or not an identifier)")
        if handler != name and (handler not in self.code or handler == self.entry):
            known = ", ".join(n for n in self.code if n != self.entry) or "none"
            raise LabError(f"no module {handler!r} to take the handler from (modules: {known})")
        source = self.sources.pop(self.entry)
        code = self.code.pop(self.entry)
        self.filenames.pop(self.entry)
        for table in (self.sources, self.code, self.filenames):
            table.pop(name, None)  # the snippet takes that module's place
        self.sources[name] = source
        self.code[name] = code
        self.filenames[name] = self.filename
        self.entry = name
        self.handler_module = handler

    def advance(self, seconds: float) -> None:
        """Let `seconds` of idle time pass; retire containers idle past the timeout."""
        if seconds < 0:
            raise LabError(f"time only goes forward: advance({seconds})")
        self._now_us += round(seconds * _US_PER_S)
        self._expire(self._now_us)

    def invoke(self, event: Any = None, *, container: str | Container | None = None) -> Invocation:
        """Run one invocation and return its record (also appended to `trace`).

        Args:
            event: The event passed to the handler.
            container: Force a container (its id or the object); by default the most
                recently used idle container serves it, or a new one cold-starts.

        Raises:
            LabError: The forced container was retired.
            SnippetHalted: The snippet ran past the step budget (recorded first).
        """
        return self._invoke(event, container)

    def deliver(
        self, event: Any = None, *, retries: int | None = None, duplicates: int = 0
    ) -> list[Invocation]:
        """Deliver one event at least once, as Lambda's asynchronous invocations and
        event-source mappings do, and return the record of every invocation it took.

        An invocation that fails (an error, a timeout) is retried with the same
        request id after `settings.async_retry_delays` (60 s, then 120 s: the clock
        advances), until one succeeds or `retries` retries failed. With `duplicates`,
        the event is then delivered that many times more, each a new invocation with a
        new request id and retries of its own, as a queue that delivers a message twice
        would. Each delivery goes where `invoke` would send it: the retry after a
        timeout, say, to a new container.

        Args:
            event: The event.
            retries: Retries after a failure (default `settings.async_retries`, 2).
            duplicates: Extra deliveries of the same event (default 0).

        Raises:
            LabError: `retries` or `duplicates` is negative.
            SnippetHalted: The snippet ran past the step budget (recorded first).
        """
        retries = self.settings.async_retries if retries is None else retries
        if retries < 0 or duplicates < 0:
            raise LabError(
                f"deliver() needs retries and duplicates >= 0, not {retries}, {duplicates}"
            )
        delays = self.settings.async_retry_delays or (0.0,)
        records: list[Invocation] = []
        for delivery in range(1 + duplicates):
            notes = (
                (f"delivery {delivery + 1} of the same event (a duplicate)",) if delivery else ()
            )
            record = self._invoke(event, None, notes=notes)
            records.append(record)
            for retry in range(1, retries + 1):
                if record.ok:
                    break
                delay = delays[min(retry, len(delays)) - 1]
                self.advance(delay)
                note = (
                    f"retry {retry} of request {record.request_id} after {delay:g} s "
                    f"(attempt {retry + 1})"
                )
                record = self._invoke(
                    event, None, request_id=record.request_id, attempt=retry + 1, notes=(note,)
                )
                records.append(record)
        return records

    def _invoke(
        self,
        event: Any,
        container: str | Container | None,
        *,
        request_id: str | None = None,
        attempt: int = 1,
        notes: tuple[str, ...] = (),
    ) -> Invocation:
        start = self._now_us
        self._expire(start)
        if container is None:
            idle = self._idle()
            target = idle[0] if idle else self._start_container()
        else:
            target = container if isinstance(container, Container) else self.container(container)
            if not target.alive or target.host is not self._host:
                raise LabError(f"container {target.id} is not in service: {target.retired_reason}")
        record = self._invoke_on(
            target, event, start, request_id=request_id, attempt=attempt, notes=notes
        )
        self._now_us = start + round(record.duration_ms * _US_PER_MS)
        return record

    def invoke_concurrently(self, events: Sequence[Any]) -> list[Invocation]:
        """Start every event at the same moment, each on a different container.

        Idle containers are used first (most recently used first), then new ones are
        cold-started. The clock then moves to the end of the longest invocation.

        Raises:
            SnippetHalted: The snippet ran past the step budget (recorded first).
        """
        start = self._now_us
        self._expire(start)
        idle = self._idle()
        records: list[Invocation] = []
        end = start
        for index, event in enumerate(events):
            target = idle[index] if index < len(idle) else self._start_container()
            record = self._invoke_on(target, event, start)
            records.append(record)
            end = max(end, start + round(record.duration_ms * _US_PER_MS))
        self._now_us = end
        return records

    # -- inside -------------------------------------------------------------------------

    def _ids(self) -> str:
        return ", ".join(c.id for c in self._containers) or "none"

    def _idle(self) -> list[Container]:
        return sorted(self.containers, key=lambda c: -c.last_used)

    def _deployed(self) -> tuple[Deployment, Services]:
        """What every container of this lab runs and reaches, fixed at the first start."""
        if self._deployment is None:
            self._deployment = Deployment.of(
                self.settings,
                self.code,
                self.filenames,
                entry=self.entry,
                handler_module=self.handler_module,
            )
        services = Services(
            self.db,
            self.db_proxy,
            self.params,
            self.objects,
            self.table,
            self.settings,
        )
        return self._deployment, services

    def _new_container(self, number: int, prefix: str = "c") -> Container:
        deployment, services = self._deployed()
        return Container(deployment, services, self._host, number, prefix=prefix)

    def _start_container(self) -> Container:
        container = self._new_container(len(self._containers) + 1)
        self._containers.append(container)
        return container

    def _expire(self, now_us: int) -> None:
        limit_us = round(self.settings.idle_timeout * _US_PER_S)
        for container in self.containers:
            idle_us = now_us - container.last_end_us
            if container.started and idle_us > limit_us:
                reason = f"idle {idle_us / _US_PER_S:.1f} s > {self.settings.idle_timeout:g} s"
                container.retire(reason)
                self._notes.append(f"{container.id} retired: {reason}{_abandoned(container)}")

    def _take_snapshot(self, start_us: int) -> Executed:
        """Run the module code once in a snapshot environment, then the before-snapshot
        hooks (in reverse order), as SnapStart does when a version is published."""
        snapshot = self._new_container(len(self._snapshots) + 1, prefix="s")
        self._snapshots.append(snapshot)
        snapshot.started = True
        before = dict(self._counts)

        def init() -> None:
            importlib.import_module(self.handler_module)
            for func, args, kwargs in reversed(snapshot.before_snapshot):
                func(*args, **kwargs)

        budget = max(130.0, self.settings.timeout)  # SnapStart's init limit
        run = snapshot.execute("init", start_us, budget, init)
        snapshot.init_ms = run.elapsed_us / _US_PER_MS
        snapshot.init_counts = _delta(before, self._counts)
        snapshot.init_output = run.output
        snapshot.init_error = run.error
        snapshot.alive = False  # it never serves; its connections stay open
        snapshot.retired_reason = "a snapshot: it never serves a request"
        return run

    def _start_phase(
        self, container: Container, start_us: int, published: Executed | None
    ) -> tuple[Executed, bool]:
        """The cold start of `container`: its module code, or with SnapStart its restore
        from the snapshot (`published`: the snapshot just taken for it, if one was).
        Returns the phase and whether the container was restored."""
        if not self.settings.snapstart:
            run = container.execute(
                "init",
                start_us,
                self.settings.init_budget,
                lambda: importlib.import_module(self.handler_module),
            )
            return run, False
        snapshot = self.snapshot
        if snapshot is None:  # taking it failed: there is nothing to restore
            error = published.error if published is not None else None
            if error is None:
                error = ErrorInfo("SnapshotFailed", "no snapshot to restore from", "init")
            output = published.output if published is not None else ""
            halted = published.halted if published is not None else None
            return Executed(None, error, 0, output, True, halted), False
        run = container.execute(
            "restore",
            start_us,
            self.settings.restore_budget,
            lambda: container.restore(snapshot),
        )
        return run, True

    def _invoke_on(
        self,
        container: Container,
        event: Any,
        start_us: int,
        *,
        request_id: str | None = None,
        attempt: int = 1,
        notes: tuple[str, ...] = (),
    ) -> Invocation:
        number = len(self._trace) + 1
        notes = (*self._notes, *notes)
        self._notes = []
        cold = not container.started
        published = None
        if cold and self.settings.snapstart and self.snapshot is None:
            published = self._take_snapshot(start_us)  # not part of this invocation
        before_counts = dict(self._counts)
        container.started = True
        self._uses += 1
        container.last_used = self._uses
        container.invocations += 1
        container.invocation = number
        container.finished = []
        container.resume_tasks(start_us)
        init_us = 0
        init_counts: dict[str, int] = {}
        changes: tuple[str, ...] = ()
        restored = False
        context = LambdaContext(
            self.settings,
            number,
            container.id,
            lambda: self._remaining_ms(container),
            request_id=request_id,
        )
        if cold:
            run, restored = self._start_phase(container, start_us, published)
            init_us = run.elapsed_us
            init_counts = _delta(before_counts, self._counts)
            container.init_ms = init_us / _US_PER_MS
            container.init_counts = dict(init_counts)
            if restored:
                hooks = len(container.after_restore)
                notes = (
                    *notes,
                    f"{container.id} restored from snapshot {container.restored_from} "
                    f"({hooks} after-restore hook{'s' if hooks != 1 else ''})",
                )
            if run.error is not None:
                run = Executed(None, run.error, 0, run.output, True, run.halted)
        else:
            run = Executed(None, None, 0, "", False)
        output = run.output
        if run.error is None:
            before = container.snapshot()
            run = self._call_handler(container, event, context, start_us + init_us)
            output += run.output
            changes = diff(before, container.snapshot())
        duration_us = init_us + run.elapsed_us
        container.last_end_us = start_us + duration_us
        after = self._retire_after(container, run)
        halted = run.halted
        if container.alive:
            for task, background in container.freeze_tasks(container.last_end_us):
                output += background.output
                halted = halted or background.halted
                if background.fatal and background.error is not None:
                    container.retire(f"{background.error.type} in background task {task.name!r}")
                    after = (
                        *after,
                        f"{container.id} retired after {background.error.type} in "
                        f"background task {task.name!r}",
                    )
        frozen = tuple(task.name for task in container.pending_tasks()) if container.alive else ()
        if frozen:
            after = (
                *after,
                f"frozen with {len(frozen)} background task(s) unfinished: "
                + ", ".join(_task_state(t) for t in container.pending_tasks()),
            )
        record = Invocation(
            number=number,
            container_id=container.id,
            cold=cold,
            event=event,
            result=_response(run.result),
            error=run.error,
            start_ms=start_us / _US_PER_MS,
            init_ms=init_us / _US_PER_MS,
            duration_ms=duration_us / _US_PER_MS,
            counts=_delta(before_counts, self._counts),
            state_changes=changes,
            memory_mb=container.memory.used_mb,
            tmp_mb=container.tmp.used_mb,
            request_id=context.aws_request_id,
            output=output,
            notes=(*notes, *after),
            init_counts=init_counts,
            attempt=attempt,
            timed_out=run.error is not None and run.error.type == "Timeout",
            restored=restored,
            background_done=tuple(container.finished),
            background_frozen=frozen,
        )
        self._trace.append(record)
        if halted is not None:
            raise halted
        return record

    def _call_handler(
        self, container: Container, event: Any, context: LambdaContext, start_us: int
    ) -> Executed:
        module = container.module(self.handler_module)
        handler = getattr(module, "handler", None) if module else None
        if not callable(handler):
            where = self.filenames.get(self.handler_module, self.filename)
            error = ErrorInfo(
                "HandlerNotFound",
                f"{where} defines no handler(event, context)",
                "handler",
                where,
                None,
            )
            return Executed(None, error, 0, "", False)
        return container.execute(
            "handler", start_us, self.settings.timeout, lambda: handler(event, context)
        )

    def _retire_after(self, container: Container, run: Executed) -> tuple[str, ...]:
        if run.fatal and run.error is not None:
            container.retire(f"{run.error.type} in {run.error.phase}")
            return (f"{container.id} retired after {run.error.type}{_abandoned(container)}",)
        limit = self.settings.recycle_after
        if limit is not None and container.invocations >= limit:
            container.retire(f"recycled after {container.invocations} invocations")
            return (
                f"{container.id} recycled after {container.invocations} invocations"
                f"{_abandoned(container)}",
            )
        return ()

    def _remaining_ms(self, container: Container) -> int:
        return max(0, round(self.settings.timeout * 1000 - container.elapsed_ms()))


def _task_state(task: Any) -> str:
    return f"{task.name!r} ({task.progress_ms:g} of {task.work_ms:g} ms)"


def _abandoned(container: Container) -> str:
    """' (2 background tasks never finished: ...)' for a retired container, or ''."""
    pending = container.pending_tasks()
    if not pending:
        return ""
    names = ", ".join(_task_state(task) for task in pending)
    return f" ({len(pending)} background task(s) never finished: {names})"


def _response(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:  # not copyable: keep the object itself
        return value


def _delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    changed = {key: after[key] - before.get(key, 0) for key in after}
    return {key: value for key, value in sorted(changed.items()) if value}
