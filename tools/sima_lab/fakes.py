"""Instrumented fakes of the services a serverless function talks to.

Each fake counts what it does and charges its declared virtual cost (see
[`LabSettings`][sima_lab.settings.LabSettings]) to the invocation that is running.
Shared fakes stand for services outside the container and live on the
[`Lab`][sima_lab.lab.Lab]: the database server (`lab.db`), the parameter store
(`lab.params`) and the object store (`lab.objects`). Per-container fakes live on each
container: its `/tmp` ([`TmpFS`][sima_lab.fakes.TmpFS]), its memory account
([`MemoryAccount`][sima_lab.fakes.MemoryAccount]) and its singleton registry
([`SingletonRegistry`][sima_lab.fakes.SingletonRegistry]).

Snippet code reaches all of them through the virtual `lab` module (see
[`sima_lab.platform`][sima_lab.platform]); scenarios reach the shared ones directly
to set data, change a parameter or inject a failure.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol

from sima_lab.errors import PlatformAbort
from sima_lab.settings import LabSettings

KB_PER_MB = 1024


def to_kb(size_mb: float) -> int:
    """Megabytes to whole kilobytes (sizes are kept as integers: no float drift)."""
    return round(size_mb * KB_PER_MB)


def to_mb(size_kb: int) -> float:
    """Whole kilobytes back to megabytes."""
    return size_kb / KB_PER_MB


class Meter(Protocol):
    """What a fake needs from the container it works for."""

    def charge(self, ms: float) -> None:
        """Add `ms` of virtual time to the running invocation."""

    def count(self, key: str, n: int = 1) -> None:
        """Count an operation (for example `db.connect`) for the running invocation."""

    def now_us(self) -> int:
        """The virtual time, in microseconds, as the running code sees it."""


class _Shared:
    """A handle to something outside the value: copies are the same handle."""

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return self


# ---------------------------------------------------------------- snippet-visible errors


class TooManyConnections(Exception):
    """The database server refused a connection: its connection limit is reached."""


class ConnectionClosedError(Exception):
    """A query was sent on a connection that was closed."""


class _MessageKeyError(KeyError):
    """A KeyError whose text is its message, not the repr of a key."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ParameterNotFound(_MessageKeyError):
    """The parameter store has no parameter of that name."""


class ParameterStoreError(Exception):
    """The parameter store failed the read (a failure the scenario injected)."""


class NoSuchKey(_MessageKeyError):
    """The object store has no object under that key."""


class SingletonNotFound(_MessageKeyError):
    """`singleton_get(name)` without a factory found nothing under that name."""


# ---------------------------------------------------------------- database


class Database:
    """The database server: shared by every container of a lab (`lab.db`).

    Concurrency is judged on the virtual clock: the lab runs concurrent invocations
    one after the other, but a connection counts as open over its virtual lifetime,
    so two invocations that start at the same moment hold two connections at once.

    Attributes:
        connects: Connections opened so far.
        queries: Queries run so far.
        closes: Connections closed (by the code or because their container went away).
        refused: Connection attempts refused at the connection limit.
        results: Canned answers: `results[sql]` is what a query with that text
            returns (a copy); any other query returns `[]`. Scenarios fill it.
    """

    def __init__(self, settings: LabSettings) -> None:
        self._settings = settings
        self.connects = 0
        self.queries = 0
        self.closes = 0
        self.refused = 0
        self.results: dict[str, list[Any]] = {}
        self._lifetimes: list[list[int | None]] = []  # [opened_us, closed_us or None]

    @property
    def max_connections(self) -> int:
        """The server's connection limit (`settings.db_max_connections`)."""
        return self._settings.db_max_connections

    @max_connections.setter
    def max_connections(self, value: int) -> None:
        self._settings.db_max_connections = value

    @property
    def open_connections(self) -> int:
        """Connections not closed yet."""
        return sum(1 for _, closed in self._lifetimes if closed is None)

    @property
    def peak_open(self) -> int:
        """The most connections open at the same virtual moment."""
        edges = sorted(
            (moment, step)
            for opened, closed in self._lifetimes
            for moment, step in ((opened, 1), (closed, -1))
            if moment is not None
        )
        peak = current = 0
        for _, step in edges:  # at equal times a close (-1) sorts before an open
            current += step
            peak = max(peak, current)
        return peak

    def open_at(self, moment_us: int) -> int:
        """Connections open at a virtual moment (microseconds)."""
        return sum(
            1
            for opened, closed in self._lifetimes
            if opened is not None and opened <= moment_us and (closed is None or closed > moment_us)
        )

    def connect(self, meter: Meter) -> Connection:
        """Open a connection for a container (what `connect_db()` calls)."""
        moment = meter.now_us()
        meter.charge(self._settings.connect_ms)
        if self.open_at(moment) >= self.max_connections:
            self.refused += 1
            meter.count("db.refused")
            raise TooManyConnections(
                f"too many connections: the server allows {self.max_connections}"
            )
        self.connects += 1
        lifetime: list[int | None] = [moment, None]
        self._lifetimes.append(lifetime)
        meter.count("db.connect")
        return Connection(self, meter, self.connects, lifetime)

    def _closed(self, meter: Meter, lifetime: list[int | None]) -> None:
        lifetime[1] = meter.now_us()
        self.closes += 1
        meter.count("db.close")


class Connection(_Shared):
    """A database connection, as `connect_db()` returns it.

    Usable as a context manager: `with connect_db() as db:` closes it at the end of the
    block. A connection stays open until it is closed or its container goes away (the
    lab does not model garbage collection closing sockets: snippets close what they
    open).

    Attributes:
        number: Which connection this is, counting from 1 in the lab.
    """

    def __init__(
        self, database: Database, meter: Meter, number: int, lifetime: list[int | None]
    ) -> None:
        self._database = database
        self._meter = meter
        self.number = number
        self._lifetime = lifetime
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once the connection was closed."""
        return self._closed

    def query(self, sql: str, *params: object) -> list[Any]:
        """Run a query (declared cost: `query_ms`, 10 ms by default).

        Returns a copy of `lab.db.results[sql]`, or `[]` when the scenario set none.
        """
        if self._closed:
            raise ConnectionClosedError(f"connection {self.number} is closed")
        self._meter.charge(self._database._settings.query_ms)
        self._database.queries += 1
        self._meter.count("db.query")
        return list(self._database.results.get(sql, []))

    def close(self) -> None:
        """Close the connection (no cost; closing twice does nothing)."""
        if not self._closed:
            self._closed = True
            self._database._closed(self._meter, self._lifetime)

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Connection {self.number} {'closed' if self._closed else 'open'}>"


# ---------------------------------------------------------------- parameter store


class ParameterStore:
    """The parameter store: shared configuration values (`lab.params`).

    Scenarios `put` values (free, instant) and may make the next reads fail;
    snippet code reads with `get_parameter(name)`, which costs time.

    Attributes:
        reads: Reads by snippet code so far (failed ones included).
    """

    def __init__(self, settings: LabSettings) -> None:
        self._settings = settings
        self._values: dict[str, str] = {}
        self._versions: dict[str, int] = {}
        self._failures: list[str] = []
        self.reads = 0

    def put(self, name: str, value: str) -> int:
        """Set a parameter (as an operator would); returns its new version (1, 2...)."""
        if not isinstance(value, str):
            raise TypeError(f"parameter values are strings, not {type(value).__name__}")
        self._values[name] = value
        self._versions[name] = self._versions.get(name, 0) + 1
        return self._versions[name]

    def value(self, name: str) -> str:
        """The current value, for scenarios (no cost, not counted)."""
        return self._values[name]

    def version(self, name: str) -> int:
        """The current version of a parameter (0 if it was never set)."""
        return self._versions.get(name, 0)

    def fail_next(
        self, count: int = 1, message: str = "ThrottlingException: Rate exceeded"
    ) -> None:
        """Make the next `count` reads raise `ParameterStoreError(message)`."""
        self._failures.extend([message] * count)

    def read(self, meter: Meter, name: str) -> str:
        """A read by snippet code (what `get_parameter()` calls)."""
        meter.charge(self._settings.parameter_read_ms)
        self.reads += 1
        meter.count("params.read")
        if self._failures:
            raise ParameterStoreError(self._failures.pop(0))
        if name not in self._values:
            raise ParameterNotFound(f"parameter {name!r} not found")
        return self._values[name]


# ---------------------------------------------------------------- object store


class ObjectStore:
    """The object store (an S3 stand-in): shared by every container (`lab.objects`).

    Attributes:
        clients: Clients created by snippet code so far.
        gets: Objects read by snippet code.
        puts: Objects written by snippet code.
    """

    def __init__(self, settings: LabSettings) -> None:
        self._settings = settings
        self._objects: dict[str, bytes] = {}
        self.clients = 0
        self.gets = 0
        self.puts = 0

    def put(self, key: str, data: bytes | str) -> None:
        """Store an object (for scenarios: free, not counted)."""
        self._objects[key] = data.encode() if isinstance(data, str) else bytes(data)

    def get(self, key: str) -> bytes:
        """Read an object (for scenarios: free, not counted)."""
        return self._objects[key]

    def keys(self) -> list[str]:
        """Every key, sorted."""
        return sorted(self._objects)

    def client(self, meter: Meter) -> ObjectStoreClient:
        """Create a client for snippet code (what `object_store()` calls)."""
        meter.charge(self._settings.object_client_ms)
        self.clients += 1
        meter.count("objects.client")
        return ObjectStoreClient(self, meter, self.clients)


class ObjectStoreClient(_Shared):
    """An object-store client, as `object_store()` returns it."""

    def __init__(self, store: ObjectStore, meter: Meter, number: int) -> None:
        self._store = store
        self._meter = meter
        self.number = number

    def get(self, key: str) -> bytes:
        """Read an object (declared cost: `object_get_ms`, 15 ms). Raises `NoSuchKey`."""
        self._meter.charge(self._store._settings.object_get_ms)
        self._store.gets += 1
        self._meter.count("objects.get")
        try:
            return self._store._objects[key]
        except KeyError:
            raise NoSuchKey(f"no object under key {key!r}") from None

    def put(self, key: str, data: bytes | str) -> None:
        """Write an object (declared cost: `object_put_ms`, 20 ms)."""
        self._meter.charge(self._store._settings.object_put_ms)
        self._store.puts += 1
        self._meter.count("objects.put")
        self._store.put(key, data)

    def __repr__(self) -> str:
        return f"<ObjectStoreClient {self.number}>"


# ---------------------------------------------------------------- /tmp


class TmpFS:
    """A container's `/tmp`: declared file sizes against a quota.

    Files stay until removed or until the container goes away: `/tmp` is not cleared
    between warm invocations.
    """

    def __init__(self, settings: LabSettings) -> None:
        self._settings = settings
        self._files: dict[str, int] = {}
        self._used_kb = 0
        self._peak_kb = 0
        self._made = 0
        self.created = 0
        self.removed = 0

    @property
    def used_mb(self) -> float:
        """Megabytes in use now."""
        return to_mb(self._used_kb)

    @property
    def peak_mb(self) -> float:
        """The most megabytes that were in use at once."""
        return to_mb(self._peak_kb)

    @property
    def quota_mb(self) -> float:
        """The quota (`settings.tmp_quota_mb`)."""
        return self._settings.tmp_quota_mb

    @property
    def files(self) -> list[str]:
        """Paths of the files present, in creation order."""
        return list(self._files)

    def create(self, meter: Meter, size_mb: float, suffix: str) -> str:
        """Write a new file of `size_mb` (what `temp_file()` calls); returns its path."""
        meter.charge(self._settings.temp_file_ms)
        self._made += 1
        path = f"/tmp/lab-{self._made:04d}{suffix}"
        size_kb = to_kb(size_mb)
        if self._used_kb + size_kb > to_kb(self._settings.tmp_quota_mb):
            meter.count("tmp.full")
            raise OSError(errno.ENOSPC, "No space left on device", path)
        self._files[path] = size_kb
        self._used_kb += size_kb
        self._peak_kb = max(self._peak_kb, self._used_kb)
        self.created += 1
        meter.count("tmp.create")
        return path

    def remove(self, meter: Meter, path: str) -> None:
        """Delete a file (what `remove_temp_file()` calls)."""
        if path not in self._files:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        self._used_kb -= self._files.pop(path)
        self.removed += 1
        meter.count("tmp.remove")


# ---------------------------------------------------------------- memory


class MemoryAccount:
    """A container's memory: declared sizes, never measured.

    Memory in use is the runtime's base, plus every heavy module imported, plus every
    [`Blob`][sima_lab.fakes.Blob] still referenced. Blobs are released when the last
    reference goes (reference counting, the same on CPython and Pyodide), so clearing
    a cache frees its memory at once. Passing the memory limit kills the invocation
    (`OutOfMemory`).
    """

    def __init__(self, settings: LabSettings) -> None:
        self._settings = settings
        self._used_kb = to_kb(settings.base_memory_mb)
        self._peak_kb = self._used_kb

    @property
    def used_mb(self) -> float:
        """Megabytes in use now."""
        return to_mb(self._used_kb)

    @property
    def peak_mb(self) -> float:
        """The most megabytes that were in use at once."""
        return to_mb(self._peak_kb)

    @property
    def limit_mb(self) -> int:
        """The limit (`settings.memory_limit_mb`)."""
        return self._settings.memory_limit_mb

    def reserve(self, size_kb: int) -> None:
        """Take `size_kb`; past the limit, end the invocation with `OutOfMemory`."""
        self._used_kb += size_kb
        self._peak_kb = max(self._peak_kb, self._used_kb)
        if self._used_kb > to_kb(self._settings.memory_limit_mb):
            raise PlatformAbort(
                "OutOfMemory",
                f"memory {to_mb(self._used_kb):.1f} MB passed the "
                f"{self._settings.memory_limit_mb} MB limit",
            )

    def release(self, size_kb: int) -> None:
        """Give back `size_kb`."""
        self._used_kb -= size_kb


class Blob(_Shared):
    """Data of a declared size, counted in its container's memory while referenced.

    Made by `allocate(size_mb)`; stands for a parsed file, a model, a cached result.

    Attributes:
        label: What the data is, for the trace.
    """

    def __init__(self, account: MemoryAccount, size_kb: int, label: str) -> None:
        self._account = account
        self._size_kb = size_kb
        self.label = label

    @property
    def size_mb(self) -> float:
        """The declared size."""
        return to_mb(self._size_kb)

    def __del__(self) -> None:
        self._account.release(self._size_kb)

    def __repr__(self) -> str:
        label = f" {self.label!r}" if self.label else ""
        return f"<Blob{label} {self.size_mb:g} MB>"


# ---------------------------------------------------------------- context


class LambdaContext(_Shared):
    """The `context` argument of a handler (the fields of AWS Lambda's context).

    Attributes:
        function_name: `settings.function_name`.
        function_version: Always `$LATEST`.
        invoked_function_arn: A fixed, fake ARN built from the function name.
        memory_limit_in_mb: `settings.memory_limit_mb`.
        aws_request_id: Deterministic: built from the invocation number.
        log_group_name: `/aws/lambda/<function_name>`.
        log_stream_name: Names the container.
    """

    def __init__(
        self,
        settings: LabSettings,
        number: int,
        container_id: str,
        remaining_ms: Callable[[], int],
    ) -> None:
        self.function_name = settings.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:lab-region-1:000000000000:function:{settings.function_name}"
        )
        self.memory_limit_in_mb = settings.memory_limit_mb
        self.aws_request_id = f"00000000-0000-4000-8000-{number:012d}"
        self.log_group_name = f"/aws/lambda/{settings.function_name}"
        self.log_stream_name = f"lab/[$LATEST]{container_id}"
        self._remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function timeout, from the virtual clock."""
        return self._remaining_ms()

    def __repr__(self) -> str:
        return f"<LambdaContext {self.aws_request_id}>"


# ---------------------------------------------------------------- singletons


class SingletonRegistry:
    """One container's registry of expensive objects (INT-09's singleton interface).

    Objects are created lazily by a factory on first use and the same instance is
    handed back afterwards, for the life of the container. One container handles one
    event at a time, so the registry needs no lock.
    """

    def __init__(self, meter: Meter) -> None:
        self._meter = meter
        self._items: dict[str, object] = {}
        self._created = 0
        self._hits = 0
        self._deleted = 0

    def get(self, name: str, factory: Callable[[], Any] | None = None) -> Any:
        """The object under `name`, created with `factory()` when missing.

        Raises:
            SingletonNotFound: `name` is missing and no factory was given (never
                returns None for a missing name).
        """
        if name in self._items:
            self._hits += 1
            return self._items[name]
        if factory is None:
            known = ", ".join(sorted(self._items)) or "none"
            raise SingletonNotFound(
                f"no singleton named {name!r} (registered: {known}); "
                "pass a factory or use singleton_get_or_create"
            )
        value = factory()  # if the factory raises, nothing is stored: the next call retries
        self._items[name] = value
        self._created += 1
        self._meter.count("singleton.create")
        return value

    def has(self, name: str) -> bool:
        """True when an object is registered under `name`."""
        return name in self._items

    def delete(self, name: str) -> bool:
        """Drop the object under `name`; True if there was one."""
        if name not in self._items:
            return False
        del self._items[name]
        self._deleted += 1
        self._meter.count("singleton.delete")
        return True

    def clear(self) -> int:
        """Drop every object; returns how many there were."""
        count = len(self._items)
        self._items.clear()
        self._deleted += count
        if count:
            self._meter.count("singleton.delete", count)
        return count

    def stats(self) -> dict[str, Any]:
        """`names` (sorted), `count`, and the `created`, `hits`, `deleted` totals."""
        return {
            "names": sorted(self._items),
            "count": len(self._items),
            "created": self._created,
            "hits": self._hits,
            "deleted": self._deleted,
        }

    def items(self) -> list[tuple[str, object]]:
        """(name, object) pairs in registration order (for the trace)."""
        return list(self._items.items())
