"""The lab's knobs: platform limits and the declared cost of each simulated operation.

Every time below is virtual: costs are added to a clock, never slept. Times of the
platform are in seconds, costs of operations in milliseconds, sizes in megabytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class HeavyModule:
    """A module whose import is expensive, simulated by the lab.

    A snippet imports it with a plain `import NAME` (or
    [`heavy_import`][sima_lab.platform.Platform.heavy_import]). Like every Python
    import it is cached per process: the first import in a container costs `seconds`
    of virtual time and adds `size_mb` to the container's memory; later imports in the
    same container cost nothing.

    Attributes:
        seconds: Virtual time the first import takes.
        size_mb: Memory the module keeps while the container lives.
    """

    seconds: float = 2.0
    size_mb: float = 50.0


def _default_heavy_modules() -> Mapping[str, HeavyModule]:
    return MappingProxyType({"heavy_library": HeavyModule(seconds=2.0, size_mb=50.0)})


@dataclass
class LabSettings:
    """Platform limits and declared costs. Change them before the first invocation.

    A scenario reaches them as `lab.settings`, for example
    `lab.settings.recycle_after = 5`.

    Attributes:
        function_name: What `context.function_name` reports.
        memory_limit_mb: The function's memory size; a container whose memory account
            passes it is killed (`OutOfMemory`) and replaced on the next request.
        base_memory_mb: Memory the runtime itself uses in every container.
        tmp_quota_mb: Size of each container's `/tmp`; writing past it raises
            `OSError(ENOSPC)`.
        timeout: Function timeout in seconds (AWS Lambda's default is 3, its maximum
            900): the context's `get_remaining_time_in_millis()` counts down from it on
            the virtual clock, and the cost that takes a handler past it is cut off:
            the invocation fails with `Timeout` (`timed_out` on its record), what it
            wrote before stays written, and its container is replaced.
        init_budget: Seconds the module code of a cold start may take (AWS Lambda's
            init phase allows 10 s); past it the cold start fails with `InitTimeout`.
        snapstart: Start every container from a snapshot, as Lambda SnapStart does:
            the module code runs once, in a snapshot environment that serves no
            request, and each new container is a copy of it that runs the
            after-restore hooks (`register_after_restore`) instead of the module code.
        restore_budget: Seconds the after-restore hooks of a restored container may
            take (Lambda allows 10 s for the runtime to load and the hooks to run);
            past it the invocation fails with `RestoreTimeout`.
        async_retries: How often `lab.deliver(event)` retries an event whose
            invocation failed (Lambda retries an asynchronous invocation twice).
        async_retry_delays: Seconds before each retry (Lambda waits one minute before
            the first and two before the second); the last one repeats.
        idle_timeout: Seconds a container may stay idle before the platform
            retires it.
        recycle_after: Retire a container after this many invocations (None: never).
        step_budget: Lines of snippet code one phase (module code or one handler call)
            may execute before the lab stops it as an endless loop. None turns the
            count off (the browser runner does: its worker has a time limit, and
            counting lines slows the code down).
        output_lines: Lines one phase (module code or one handler call) may print;
            the rest is counted and dropped, and a line says how much was left out.
        output_chars: Characters one phase may print, likewise.
        db_max_connections: The database server's connection limit.
        proxy_max_connections: Server connections the database proxy opens at most.
        heavy_modules: Modules that `import` treats as heavy (name to cost).
        connect_ms: Cost of `connect_db()`: opening a database connection.
        query_ms: Cost of one `Connection.query()`.
        parameter_read_ms: Cost of one `get_parameter()`.
        object_client_ms: Cost of creating an object-store client (`object_store()`).
        object_get_ms: Cost of one object-store `get`.
        object_put_ms: Cost of one object-store `put`.
        temp_file_ms: Cost of writing one temporary file (`temp_file()`).
        proxy_connect_ms: Cost of connecting to the database proxy (`connect_db_proxy()`).
        table_client_ms: Cost of creating a key-value table client (`table()`).
        table_get_ms: Cost of one table read.
        table_put_ms: Cost of one table write or delete.
    """

    function_name: str = "sima-lab-function"
    memory_limit_mb: int = 128
    base_memory_mb: float = 40.0
    tmp_quota_mb: float = 512.0
    timeout: float = 3.0
    init_budget: float = 10.0
    snapstart: bool = False
    restore_budget: float = 10.0
    async_retries: int = 2
    async_retry_delays: tuple[float, ...] = (60.0, 120.0)
    idle_timeout: float = 600.0
    recycle_after: int | None = None
    step_budget: int | None = 500_000
    output_lines: int = 500
    output_chars: int = 20_000
    db_max_connections: int = 20
    proxy_max_connections: int = 10
    heavy_modules: Mapping[str, HeavyModule] = field(default_factory=_default_heavy_modules)
    connect_ms: float = 200.0
    query_ms: float = 10.0
    parameter_read_ms: float = 20.0
    object_client_ms: float = 150.0
    object_get_ms: float = 15.0
    object_put_ms: float = 20.0
    temp_file_ms: float = 5.0
    proxy_connect_ms: float = 20.0
    table_client_ms: float = 150.0
    table_get_ms: float = 10.0
    table_put_ms: float = 15.0
