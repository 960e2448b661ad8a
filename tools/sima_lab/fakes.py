"""Instrumented fakes of the services a serverless function talks to.

Each fake counts what it does and charges its declared virtual cost (see
[`LabSettings`][sima_lab.limits.LabSettings]) to the invocation that is running.
Shared fakes stand for services outside the container and live on the
[`Lab`][sima_lab.lab.Lab]: the database server (`lab.db`) and its connection proxy
(`lab.db_proxy`), the parameter store (`lab.params`), the object store
(`lab.objects`) and a key-value table with conditional writes (`lab.table`).
Per-container fakes live on each container: its `/tmp`
([`TmpFS`][sima_lab.fakes.TmpFS]), its memory account
([`MemoryAccount`][sima_lab.fakes.MemoryAccount]), its singleton registry
([`SingletonRegistry`][sima_lab.fakes.SingletonRegistry]) and its background tasks
([`BackgroundTask`][sima_lab.fakes.BackgroundTask]).

Snippet code reaches all of them through the virtual `lab` module (see
[`sima_lab.platform`][sima_lab.platform]); scenarios reach the shared ones directly
to set data, change a parameter or inject a failure.
"""

from __future__ import annotations

import copy
import errno
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Protocol

from sima_lab.errors import PlatformAbort
from sima_lab.limits import LabSettings

KB_PER_MB = 1024

#: A key of the deep-copy memo of a SnapStart restore: the memory account of the
#: restored container, which copies of the snapshot's blobs join.
RESTORE_ACCOUNT = "sima-lab:restore-account"


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


class ObjectStoreError(Exception):
    """The object store failed a request (a failure the scenario injected)."""


class SingletonNotFound(_MessageKeyError):
    """`singleton_get(name)` without a factory found nothing under that name."""


class ConditionFailed(Exception):
    """A conditional write to the table was refused: its condition did not hold
    (`put(key, item, if_absent=True)` on a key that exists)."""


# ---------------------------------------------------------------- database


class Database:
    """The database server: shared by every container of a lab (`lab.db`).

    Concurrency is judged on the virtual clock: the lab runs concurrent invocations
    one after the other, but a connection counts as open over its virtual lifetime,
    so two invocations that start at the same moment hold two connections at once.
    A connection is refused when, at its moment or any later one, the connections
    already opened would fill the server: of two concurrent invocations, the one run
    later is refused, so the limit is never passed.

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

    def peak_from(self, moment_us: int) -> int:
        """The most connections open at once at any moment from `moment_us` on.

        A connection opened at `moment_us` stays open past it, so it fits only if this
        is below the limit: the lab runs concurrent invocations one after the other,
        and one run earlier may already hold connections from a later moment.
        """
        current = peak = self.open_at(moment_us)
        edges = sorted(
            (moment, step)
            for opened, closed in self._lifetimes
            for moment, step in ((opened, 1), (closed, -1))
            if moment is not None and moment > moment_us
        )
        for _, step in edges:  # at equal times a close (-1) sorts before an open
            current += step
            peak = max(peak, current)
        return peak

    def connect(self, meter: Meter) -> Connection:
        """Open a connection for a container (what `connect_db()` calls)."""
        lifetime = self._open(meter)
        return Connection(self, meter, self.connects, lifetime)

    def _open(self, meter: Meter) -> list[int | None]:
        """Open one server connection at the meter's moment (200 ms), or refuse it."""
        moment = meter.now_us()
        meter.charge(self._settings.connect_ms)
        if self.peak_from(moment) >= self.max_connections:
            self.refused += 1
            meter.count("db.refused")
            raise TooManyConnections(
                f"too many connections: the server allows {self.max_connections}"
            )
        self.connects += 1
        lifetime: list[int | None] = [moment, None]
        self._lifetimes.append(lifetime)
        meter.count("db.connect")
        return lifetime

    def _query(self, meter: Meter) -> None:
        """Charge and count one query (10 ms)."""
        meter.charge(self._settings.query_ms)
        self.queries += 1
        meter.count("db.query")

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
        self._database._query(self._meter)
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


# ---------------------------------------------------------------- connection proxy


class DatabaseProxy:
    """A connection proxy in front of the database server (`lab.db_proxy`), like RDS Proxy.

    Snippet code connects to the proxy with `connect_db_proxy()` (declared cost:
    `proxy_connect_ms`, 20 ms), not to the server. The proxy keeps a pool of at most
    `max_connections` server connections (`settings.proxy_max_connections`, 10), opens
    them on demand (200 ms each, paid by the query that needs it; none past the
    server's own limit) and keeps them open.
    Each query borrows one pooled connection for its duration: a query that finds every
    pooled connection busy at its moment on the virtual clock waits for the first that
    comes free, and the wait is added to its invocation. Pooled connections count
    against the server's limit like any other (`lab.db.peak_open`), so however many
    containers connect to the proxy, the server sees at most `max_connections`.

    Limits of the model: a transaction is one query; concurrent invocations run one
    after the other, so the one the lab runs first takes a free connection first.

    Attributes:
        clients: Client connections opened to the proxy so far.
        queries: Queries run through the proxy.
        waited_ms: Virtual milliseconds queries spent waiting for a pooled connection.
    """

    def __init__(self, database: Database, settings: LabSettings) -> None:
        self._database = database
        self._settings = settings
        self._busy: list[list[tuple[int, int]]] = []  # per pooled connection: busy spans
        self.clients = 0
        self.queries = 0
        self.waited_ms = 0.0

    @property
    def max_connections(self) -> int:
        """Most server connections the proxy opens (`settings.proxy_max_connections`)."""
        return self._settings.proxy_max_connections

    @property
    def pool_size(self) -> int:
        """Server connections the proxy holds now."""
        return len(self._busy)

    def connect(self, meter: Meter) -> ProxyConnection:
        """A client connection for snippet code (what `connect_db_proxy()` calls)."""
        meter.charge(self._settings.proxy_connect_ms)
        self.clients += 1
        meter.count("proxy.connect")
        return ProxyConnection(self, meter, self.clients)

    def query(self, meter: Meter, sql: str) -> list[Any]:
        """Run one query on a pooled connection, waiting for one if all are busy."""
        moment = meter.now_us()
        query_us = round(self._settings.query_ms * 1000)
        free = [
            (_free_from(spans, moment, query_us), index) for index, spans in enumerate(self._busy)
        ]
        start, index = min(free, default=(moment, -1))
        database = self._database
        room = database.peak_from(moment) < database.max_connections  # at the server
        if index < 0 or (start > moment and len(self._busy) < self.max_connections and room):
            self._database._open(meter)  # raises TooManyConnections at the server's limit
            meter.count("proxy.open")
            self._busy.append([])
            index = len(self._busy) - 1
            start = moment
            hold_us = round(self._settings.connect_ms * 1000) + query_us
        else:
            wait_ms = (start - moment) / 1000
            if wait_ms:
                self.waited_ms += wait_ms
                meter.count("proxy.wait")
                meter.charge(wait_ms)
            hold_us = query_us
        self._busy[index].append((start, start + hold_us))
        self.queries += 1
        meter.count("proxy.query")
        self._database._query(meter)
        return list(self._database.results.get(sql, []))


def _free_from(spans: list[tuple[int, int]], moment: int, length: int) -> int:
    """The first time at or after `moment` when `length` fits between busy `spans`."""
    start = moment
    for begin, end in sorted(spans):
        if end <= start:
            continue
        if begin >= start + length:
            break
        start = end
    return start


class ProxyConnection(_Shared):
    """A client connection to the database proxy, as `connect_db_proxy()` returns it.

    Use it as a [`Connection`][sima_lab.fakes.Connection]: `query(sql)` (10 ms, plus any
    wait for a pooled server connection), `close()`, `with connect_db_proxy() as db:`.

    Attributes:
        number: Which client connection this is, counting from 1 in the lab.
    """

    def __init__(self, proxy: DatabaseProxy, meter: Meter, number: int) -> None:
        self._proxy = proxy
        self._meter = meter
        self.number = number
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once the client connection was closed."""
        return self._closed

    def query(self, sql: str, *params: object) -> list[Any]:
        """Run a query through the proxy; returns a copy of `lab.db.results[sql]`."""
        if self._closed:
            raise ConnectionClosedError(f"proxy connection {self.number} is closed")
        return self._proxy.query(self._meter, sql)

    def close(self) -> None:
        """Close the client connection (no cost); the proxy keeps its pool open."""
        self._closed = True

    def __enter__(self) -> ProxyConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ProxyConnection {self.number} {'closed' if self._closed else 'open'}>"


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
        self._failures: list[str] = []
        self.clients = 0
        self.gets = 0
        self.puts = 0

    def fail_next(
        self, count: int = 1, message: str = "SlowDown: Please reduce your request rate."
    ) -> None:
        """Make the next `count` requests of snippet code (`get` or `put`) raise
        `ObjectStoreError(message)`, after their cost; a failed `put` stores nothing."""
        self._failures.extend([message] * count)

    def _failure(self, meter: Meter) -> None:
        if self._failures:
            meter.count("objects.error")
            raise ObjectStoreError(self._failures.pop(0))

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
        self._store._failure(self._meter)
        self._store.gets += 1
        self._meter.count("objects.get")
        try:
            return self._store._objects[key]
        except KeyError:
            raise NoSuchKey(f"no object under key {key!r}") from None

    def put(self, key: str, data: bytes | str) -> None:
        """Write an object (declared cost: `object_put_ms`, 20 ms)."""
        self._meter.charge(self._store._settings.object_put_ms)
        self._store._failure(self._meter)
        self._store.puts += 1
        self._meter.count("objects.put")
        self._store.put(key, data)

    def __repr__(self) -> str:
        return f"<ObjectStoreClient {self.number}>"


# ---------------------------------------------------------------- key-value table


class Table:
    """A key-value table with conditional writes (a DynamoDB stand-in): `lab.table`.

    Shared by every container. Items are dicts of plain data under string keys; every
    read returns a copy and every write stores one. A write is whole and applied the
    moment it is made: one that the function's timeout cut off before it was made is
    not there, one made before the timeout stays. Snippet code reaches the table through
    `table()`; scenarios read and seed it here, free and uncounted.

    Attributes:
        clients: Clients created by snippet code so far.
        gets: Reads by snippet code.
        puts: Writes by snippet code (refused conditional writes included).
        refused: Conditional writes refused because their condition did not hold.
    """

    def __init__(self, settings: LabSettings) -> None:
        self._settings = settings
        self._items: dict[str, dict[str, Any]] = {}
        self._writes: dict[str, int] = {}
        self.clients = 0
        self.gets = 0
        self.puts = 0
        self.refused = 0

    def put(self, key: str, item: Mapping[str, Any]) -> None:
        """Store an item (for scenarios: free, not counted)."""
        self._items[_table_key(key)] = _plain_item(item)

    def get(self, key: str) -> dict[str, Any] | None:
        """A copy of the item under `key`, or None (for scenarios)."""
        item = self._items.get(key)
        return copy.deepcopy(item) if item is not None else None

    def keys(self, prefix: str = "") -> list[str]:
        """Every key that starts with `prefix`, sorted."""
        return sorted(key for key in self._items if key.startswith(prefix))

    def writes(self, key: str) -> int:
        """How many writes snippet code made to `key` (refused ones not counted)."""
        return self._writes.get(key, 0)

    def client(self, meter: Meter) -> TableClient:
        """Create a client for snippet code (what `table()` calls)."""
        meter.charge(self._settings.table_client_ms)
        self.clients += 1
        meter.count("table.client")
        return TableClient(self, meter, self.clients)


def _table_key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"table keys are strings, not {type(key).__name__}")
    return key


def _plain_item(item: object) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise TypeError(f"table items are dicts, not {type(item).__name__}")
    try:
        return copy.deepcopy(dict(item))
    except Exception as exc:
        raise TypeError(f"table items hold plain data that can be copied: {exc}") from None


class TableClient(_Shared):
    """A client of the key-value table, as `table()` returns it."""

    def __init__(self, table: Table, meter: Meter, number: int) -> None:
        self._table = table
        self._meter = meter
        self.number = number

    def get(self, key: str) -> dict[str, Any] | None:
        """A copy of the item under `key`, or None (declared cost: `table_get_ms`, 10 ms)."""
        self._meter.charge(self._table._settings.table_get_ms)
        self._table.gets += 1
        self._meter.count("table.get")
        return self._table.get(_table_key(key))

    def put(self, key: str, item: Mapping[str, Any], *, if_absent: bool = False) -> None:
        """Write `item` under `key` (declared cost: `table_put_ms`, 15 ms).

        With `if_absent=True` the write is conditional: when `key` already holds an
        item nothing is written and `ConditionFailed` is raised, so of two writers of
        one key exactly one succeeds (DynamoDB's `attribute_not_exists` condition).
        """
        key = _table_key(key)
        stored = _plain_item(item)
        self._meter.charge(self._table._settings.table_put_ms)
        self._table.puts += 1
        if if_absent and key in self._table._items:
            self._table.refused += 1
            self._meter.count("table.refused")
            raise ConditionFailed(f"an item under {key!r} already exists")
        self._table._items[key] = stored
        self._table._writes[key] = self._table._writes.get(key, 0) + 1
        self._meter.count("table.put")

    def delete(self, key: str) -> bool:
        """Remove the item under `key` (declared cost: `table_put_ms`); True if there was one."""
        key = _table_key(key)
        self._meter.charge(self._table._settings.table_put_ms)
        self._meter.count("table.delete")
        return self._table._items.pop(key, None) is not None

    def __repr__(self) -> str:
        return f"<TableClient {self.number}>"


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

    def copy_from(self, other: TmpFS) -> None:
        """Hold the same files as `other` (a restored container's `/tmp`, from the snapshot)."""
        self._files = dict(other._files)
        self._used_kb = other._used_kb
        self._peak_kb = max(self._peak_kb, self._used_kb)
        self._made = other._made

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

    def __deepcopy__(self, memo: dict[Any, Any]) -> Any:
        account = memo.get(RESTORE_ACCOUNT)
        if not isinstance(account, MemoryAccount):
            return self
        account.reserve(self._size_kb)  # a restored container holds its own copy
        return Blob(account, self._size_kb, self.label)

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
        aws_request_id: Deterministic: built from the invocation number (a retry keeps
            the id of the invocation it retries).
        log_group_name: `/aws/lambda/<function_name>`.
        log_stream_name: Names the container.
    """

    def __init__(
        self,
        settings: LabSettings,
        number: int,
        container_id: str,
        remaining_ms: Callable[[], int],
        *,
        request_id: str | None = None,
    ) -> None:
        self.function_name = settings.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:lab-region-1:000000000000:function:{settings.function_name}"
        )
        self.memory_limit_in_mb = settings.memory_limit_mb
        self.aws_request_id = request_id or f"00000000-0000-4000-8000-{number:012d}"
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

    def put(self, name: str, value: object) -> None:
        """Register `value` under `name` as it is (a restored container's copy)."""
        self._items[name] = value

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


# ---------------------------------------------------------------- background work


class TaskRunner(Protocol):
    """What a background task needs from its container."""

    def join_task(self, task: BackgroundTask) -> None:
        """Wait for the task: charge its remaining work, then run its function."""


class BackgroundTask(_Shared):
    """Work started with `start_background(fn, work_ms=...)`: a simulated thread.

    The task needs `work_ms` of virtual time, then calls `fn(*args, **kwargs)`. Its
    work advances only while an invocation runs on its container, alongside the
    handler's own time: when the handler returns, the platform freezes the execution
    environment, and the task with it, until the next invocation on that container. A
    task whose container retires first never finishes. `fn` runs when the lab next
    has control once the work is done: at `join()`, or when the invocation that
    completes the work ends (the lab runs no real threads).

    Attributes:
        name: The task's name (default: the function's name).
        work_ms: The virtual time its work takes.
        started_in: The number of the invocation that started it.
        finished_in: The number of the invocation during which `fn` ran (None until then).
        error: What `fn` raised (`KeyError: 'x'`), or None; a failed task does not fail
            the invocation, as an exception in a thread does not end the process.
    """

    def __init__(
        self,
        runner: TaskRunner,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        work_ms: float,
        name: str,
        started_in: int,
        now_us: int,
    ) -> None:
        self._runner = runner
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.work_ms = work_ms
        self.name = name
        self.started_in = started_in
        self.finished_in: int | None = None
        self.error: str | None = None
        self.progress_us = 0
        self.mark_us = now_us

    @property
    def done(self) -> bool:
        """True once the task's function has run."""
        return self.finished_in is not None

    @property
    def progress_ms(self) -> float:
        """Virtual milliseconds of its work done so far (as of its last freeze)."""
        return self.progress_us / 1000

    def join(self) -> None:
        """Wait for the task: its remaining work is added to the caller's time, then
        `fn` runs now, if it has not already."""
        self._runner.join_task(self)

    def __repr__(self) -> str:
        state = "done" if self.done else f"{self.progress_ms:g} of {self.work_ms:g} ms"
        return f"<BackgroundTask {self.name!r} {state}>"
