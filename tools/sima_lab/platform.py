"""The virtual `lab` module: the simulated platform that snippet code imports.

Each container builds its own `lab` module from a [`Platform`][sima_lab.platform.Platform]
and installs it in `sys.modules` only while that container runs code, so that

```python
from lab import connect_db, get_parameter, singleton_get_or_create, work
```

inside a snippet reaches that container's fakes. Every function's declared virtual
cost is in its docstring; the numbers are the defaults of
[`LabSettings`][sima_lab.limits.LabSettings] and a scenario may change them.

A platform is given the container it serves as a
[`Process`][sima_lab.platform.Process] (what it needs of one: its clock and its own
resources) and the lab's shared fakes as [`Services`][sima_lab.platform.Services], so
it knows nothing of the lab.

Besides the functions, `import heavy_library` (or any module named in
`settings.heavy_modules`) imports a simulated heavy module: 2 s and 50 MB the first
time in a container, nothing afterwards (Python caches imports per process).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sima_lab.fakes import (
    BackgroundTask,
    Blob,
    ConditionFailed,
    Connection,
    ConnectionClosedError,
    Database,
    DatabaseProxy,
    MemoryAccount,
    Meter,
    NoSuchKey,
    ObjectStore,
    ObjectStoreClient,
    ObjectStoreError,
    ParameterNotFound,
    ParameterStore,
    ParameterStoreError,
    ProxyConnection,
    SingletonNotFound,
    SingletonRegistry,
    Table,
    TableClient,
    TmpFS,
    TooManyConnections,
    to_kb,
)
from sima_lab.limits import HeavyModule, LabSettings

#: A runtime hook as registered: the function, its positional and keyword arguments.
Hook = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]

#: The functions of the `lab` module, in the order the docs list them.
FUNCTIONS = (
    "work",
    "now",
    "connect_db",
    "connect_db_proxy",
    "get_parameter",
    "object_store",
    "table",
    "heavy_import",
    "temp_file",
    "remove_temp_file",
    "temporary_file",
    "tmp_used_mb",
    "allocate",
    "memory_used_mb",
    "memory_limit_mb",
    "singleton_get_or_create",
    "singleton_get",
    "singleton_has",
    "singleton_delete",
    "singleton_clear",
    "singleton_stats",
    "start_background",
    "register_after_restore",
    "register_before_snapshot",
)

#: The exception classes the `lab` module exposes, so snippets can catch them.
EXCEPTIONS = (
    TooManyConnections,
    ConnectionClosedError,
    ParameterNotFound,
    ParameterStoreError,
    NoSuchKey,
    ObjectStoreError,
    SingletonNotFound,
    ConditionFailed,
)


@dataclass(frozen=True)
class Services:
    """What lives outside every container of a lab and its `lab` module reaches: the
    shared fakes (a scenario's `lab.db`, `lab.db_proxy`...), and the settings (for the
    heavy modules that `import` simulates).
    """

    db: Database
    db_proxy: DatabaseProxy
    params: ParameterStore
    objects: ObjectStore
    table: Table
    settings: LabSettings


class Process(Meter, Protocol):
    """What the platform needs of the container it serves (a
    [`Container`][sima_lab.container.Container]): its clock, its own resources, and
    the heavy imports, background tasks and hooks it keeps."""

    tmp: TmpFS
    memory: MemoryAccount
    singletons: SingletonRegistry
    connections: list[Connection]
    after_restore: list[Hook]
    before_snapshot: list[Hook]

    def now_s(self) -> float:
        """The virtual time, in seconds, as the running code sees it."""

    def import_heavy(self, name: str, spec: HeavyModule) -> types.ModuleType:
        """A heavy module for this container, made (and paid for) on first use."""

    def start_task(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        work_ms: float,
        name: str,
    ) -> BackgroundTask:
        """A background task of this container."""


class Platform:
    """The functions of one container's `lab` module (each method is one function).

    Costs are virtual: added to the invocation's duration, never slept.

    Args:
        container: The container whose code calls these functions.
        services: The shared fakes they reach.
    """

    def __init__(self, container: Process, services: Services) -> None:
        self._container = container
        self._services = services

    # -- time ---------------------------------------------------------------------------

    def work(self, ms: float) -> None:
        """Do `ms` milliseconds of computation (declared cost: `ms`)."""
        if ms < 0:
            raise ValueError(f"work(ms) needs ms >= 0, not {ms}")
        self._container.charge(ms)

    def now(self) -> float:
        """Virtual seconds since the lab started, like `time.monotonic()` (no cost).

        Use it for time-to-live checks; the clock moves by declared costs and by the
        scenario's `lab.advance(seconds)`.
        """
        return self._container.now_s()

    # -- services -----------------------------------------------------------------------

    def connect_db(self) -> Connection:
        """Open a database connection (declared cost: 200 ms).

        Each query on it costs 10 ms. Raises `TooManyConnections` when the server's
        connection limit (`lab.db.max_connections`, 20 by default) is reached.
        """
        connection = self._services.db.connect(self._container)
        self._container.connections.append(connection)
        return connection

    def connect_db_proxy(self) -> ProxyConnection:
        """Connect to the database through its proxy (declared cost: 20 ms).

        The proxy (`lab.db_proxy`, like RDS Proxy) shares a pool of at most
        `settings.proxy_max_connections` (10) server connections among all its clients:
        each query borrows one for its 10 ms and waits, on the virtual clock, when all
        are busy. However many containers connect, the server sees at most the pool.
        """
        return self._services.db_proxy.connect(self._container)

    def get_parameter(self, name: str) -> str:
        """Read a value from the parameter store (declared cost: 20 ms per read).

        Raises `ParameterNotFound` for an unknown name and `ParameterStoreError` when
        the scenario injected a failure.
        """
        return self._services.params.read(self._container, name)

    def object_store(self) -> ObjectStoreClient:
        """Create an object-store client (declared cost: 150 ms).

        Its `get(key)` costs 15 ms and `put(key, data)` 20 ms; either raises
        `ObjectStoreError` when the scenario injected a failure.
        """
        return self._services.objects.client(self._container)

    def table(self) -> TableClient:
        """Create a client of the key-value table `lab.table` (declared cost: 150 ms).

        Its `get(key)` costs 10 ms, `put(key, item, if_absent=False)` and `delete(key)`
        15 ms. `put(..., if_absent=True)` is a conditional write: it raises
        `ConditionFailed` when the key already holds an item, so of two writers of one
        key exactly one succeeds.
        """
        return self._services.table.client(self._container)

    def heavy_import(
        self, name: str, *, seconds: float = 2.0, size_mb: float = 50.0
    ) -> types.ModuleType:
        """Import a heavy module, like `import name` (declared cost: `seconds`, 2 s).

        The first import in a container costs `seconds` and keeps `size_mb` (50 MB) of
        memory; later imports in that container return the cached module at no cost.
        Names declared in `settings.heavy_modules` use their declared cost.
        """
        spec = self._services.settings.heavy_modules.get(
            name, HeavyModule(seconds=seconds, size_mb=size_mb)
        )
        return self._container.import_heavy(name, spec)

    # -- /tmp ---------------------------------------------------------------------------

    def temp_file(self, size_mb: float = 1.0, *, suffix: str = ".tmp") -> str:
        """Write a temporary file of `size_mb` in `/tmp`; return its path (cost: 5 ms).

        The file stays until `remove_temp_file(path)` or until the container goes
        away. Past the `/tmp` quota (512 MB) raises `OSError` with errno `ENOSPC`.
        """
        return self._container.tmp.create(self._container, size_mb, suffix)

    def remove_temp_file(self, path: str) -> None:
        """Delete a temporary file (no cost). Raises `FileNotFoundError` if missing."""
        self._container.tmp.remove(self._container, path)

    @contextmanager
    def temporary_file(self, size_mb: float = 1.0, *, suffix: str = ".tmp") -> Iterator[str]:
        """`with temporary_file(size_mb) as path:` a file removed when the block ends.

        Same cost as `temp_file` (5 ms); the file is removed even if the block raises.
        """
        path = self.temp_file(size_mb, suffix=suffix)
        try:
            yield path
        finally:
            self.remove_temp_file(path)

    def tmp_used_mb(self) -> float:
        """Megabytes used in this container's `/tmp` (no cost)."""
        return self._container.tmp.used_mb

    # -- memory -------------------------------------------------------------------------

    def allocate(self, size_mb: float, label: str = "") -> Blob:
        """Data of `size_mb` megabytes, counted in memory while referenced (no cost).

        The memory is given back when the last reference goes (for example when a
        cache holding it is cleared). Past the memory limit (128 MB by default) the
        invocation is killed with `OutOfMemory` and the container replaced.
        """
        if size_mb < 0:
            raise ValueError(f"allocate(size_mb) needs size_mb >= 0, not {size_mb}")
        size_kb = to_kb(size_mb)
        self._container.memory.reserve(size_kb)
        self._container.count("memory.allocate")
        return Blob(self._container.memory, size_kb, label)

    def memory_used_mb(self) -> float:
        """Megabytes this container uses: runtime, heavy modules, live data (no cost)."""
        return self._container.memory.used_mb

    def memory_limit_mb(self) -> int:
        """The function's memory limit in megabytes (128 by default; no cost)."""
        return self._container.memory.limit_mb

    # -- singletons (INT-09) ------------------------------------------------------------

    def singleton_get_or_create(self, name: str, factory: Callable[[], Any]) -> Any:
        """The container's object under `name`, created by `factory()` on first use.

        No cost of its own (the factory's costs count). If the factory raises, nothing
        is stored and the next call tries again.
        """
        return self._container.singletons.get(name, factory)

    def singleton_get(self, name: str, factory: Callable[[], Any] | None = None) -> Any:
        """Like `singleton_get_or_create`, but the factory is optional.

        Raises `SingletonNotFound` (a `KeyError`) when `name` is missing and no
        factory is given: it never returns None for a missing name.
        """
        return self._container.singletons.get(name, factory)

    def singleton_has(self, name: str) -> bool:
        """True when an object is registered under `name` (no cost)."""
        return self._container.singletons.has(name)

    def singleton_delete(self, name: str) -> bool:
        """Drop the object under `name` (it is rebuilt on next use); True if it existed."""
        return self._container.singletons.delete(name)

    def singleton_clear(self) -> int:
        """Drop every registered object; return how many there were (no cost)."""
        return self._container.singletons.clear()

    def singleton_stats(self) -> dict[str, Any]:
        """`names`, `count`, and the `created`, `hits`, `deleted` totals (no cost)."""
        return self._container.singletons.stats()

    # -- background work and snapshots --------------------------------------------------

    def start_background(
        self, fn: Callable[..., Any], *args: Any, work_ms: float, name: str = "", **kwargs: Any
    ) -> BackgroundTask:
        """Start `fn(*args, **kwargs)` as background work taking `work_ms` (a simulated
        thread; no cost to the caller).

        The work advances only while an invocation runs on this container: after the
        handler returns, the environment is frozen and the task with it, until the next
        invocation on the container (or forever, if the container retires first). `fn`
        runs once the work is done, when the task is joined (`task.join()` adds the
        remaining work to the caller's time) or when the invocation that completes it
        ends. Real threads are not simulated (and cannot start in the browser).
        """
        if not callable(fn):
            raise TypeError(f"start_background() needs a function, not {type(fn).__name__}")
        if not isinstance(work_ms, int | float) or isinstance(work_ms, bool) or work_ms < 0:
            raise ValueError(f"start_background() needs work_ms >= 0, not {work_ms!r}")
        return self._container.start_task(fn, args, kwargs, float(work_ms), name)

    def register_after_restore(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `func(*args, **kwargs)` in every container restored from a snapshot.

        As `snapshot_restore_py.register_after_restore` in a SnapStart function: the
        hooks run in the order they were registered, before a restored container's
        first invocation, within `settings.restore_budget` (10 s). Works as a decorator
        and returns `func`. Without SnapStart (`settings.snapstart`) the hooks never run.
        """
        self._container.after_restore.append((func, args, kwargs))
        return func

    def register_before_snapshot(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `func(*args, **kwargs)` once the module code ran, before the snapshot.

        As `snapshot_restore_py.register_before_snapshot`: the hooks run in the reverse
        order of registration, only with SnapStart. Works as a decorator, returns `func`.
        """
        self._container.before_snapshot.append((func, args, kwargs))
        return func


def build_lab_module(platform: Platform) -> types.ModuleType:
    """A fresh `lab` module whose functions are the given platform's methods."""
    module = types.ModuleType("lab", __doc__)
    for name in FUNCTIONS:
        setattr(module, name, getattr(platform, name))
    for error in EXCEPTIONS:
        setattr(module, error.__name__, error)
    module.__dict__["__all__"] = [*FUNCTIONS, *(error.__name__ for error in EXCEPTIONS)]
    return module
