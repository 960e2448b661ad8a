"""The lab: a deterministic simulator of a serverless container's life.

It proves claims about code patterns. A snippet's module code runs in a fresh module
namespace on a cold start and is reused on warm starts; containers are recycled
after some invocations or idle time; concurrent requests go to different containers;
costs are declared and added on a virtual clock (never slept); `/tmp` has a quota and
memory is accounted from declared sizes. Events can be delivered at least once
(retried with the same request id, or duplicated), every handler has a deadline
that cuts off the work in flight, containers can be restored from a SnapStart
snapshot, and background work is frozen between invocations. Instrumented fakes
(database and its proxy, parameter store, object store, key-value table, heavy
imports, temp files, the Lambda context, INT-09's singleton registry) count what the
code does, and every invocation is traced.

Standard library only, and no threads, subprocesses, real sleeping or file writes:
it runs unchanged on CPython 3.12+ and in Pyodide.

The pieces, each importing only those above it:

- [`sima_lab.records`][sima_lab.records]: the plain records
  ([`Invocation`][sima_lab.records.Invocation], [`ErrorInfo`][sima_lab.records.ErrorInfo],
  [`Verdict`][sima_lab.records.Verdict], [`Claim`][sima_lab.records.Claim],
  [`Outcome`][sima_lab.records.Outcome], [`FolderProblem`][sima_lab.records.FolderProblem]);
  it imports nothing from the lab.
- [`sima_lab.errors`][sima_lab.errors]: the lab's exceptions.
- [`sima_lab.limits`][sima_lab.limits]: [`LabSettings`][sima_lab.limits.LabSettings],
  the limits and declared costs.
- [`sima_lab.fakes`][sima_lab.fakes]: the instrumented fakes.
- [`sima_lab.state`][sima_lab.state]: stable descriptions of module state.
- [`sima_lab.platform`][sima_lab.platform]: the virtual `lab` module snippets import,
  and the [`Services`][sima_lab.platform.Services] it reaches.
- [`sima_lab.container`][sima_lab.container]: one container and how code runs in it,
  given its [`Deployment`][sima_lab.container.Deployment] and
  [`Host`][sima_lab.container.Host], never the lab itself.
- [`sima_lab.lab`][sima_lab.lab]: [`Lab`][sima_lab.lab.Lab], what scenarios drive.
- [`sima_lab.trace`][sima_lab.trace]: the trace as a plain-text table, a check's report.
- [`sima_lab.verify`][sima_lab.verify]: checking one claim.
- [`sima_lab.claims`][sima_lab.claims]: `claims.toml` and `scenarios.py`, from text.
- [`sima_lab.folder`][sima_lab.folder]: a snippet folder as one value
  ([`Folder`][sima_lab.folder.Folder]), from its texts, the disk or a payload.
- [`sima_lab.answers`][sima_lab.answers]: helpers for scenarios, and
  [`judge`][sima_lab.answers.judge], which names what went wrong.
- [`sima_lab.mutants`][sima_lab.mutants]: broken variants each claim must reject.
- [`sima_lab.timeline`][sima_lab.timeline]: the trace drawn as an SVG timeline.
- [`sima_lab.runner`][sima_lab.runner]: one snippet run from a payload, as JSON (what
  the browser's worker and the parity harness call).
"""

from sima_lab.claims import check_claims, load_claims, load_scenarios, parse_claims
from sima_lab.container import Container
from sima_lab.errors import LabError, LoadError, SnippetHalted
from sima_lab.fakes import (
    Connection,
    Database,
    ObjectStore,
    ParameterStore,
    SingletonNotFound,
)
from sima_lab.folder import Folder, SnippetSpec, load_folder
from sima_lab.lab import Lab
from sima_lab.limits import HeavyModule, LabSettings
from sima_lab.records import Claim, ErrorInfo, FolderProblem, Invocation, Outcome, Verdict
from sima_lab.trace import format_outcome, format_trace
from sima_lab.verify import Scenario, verify

__all__ = (
    "Claim",
    "Connection",
    "Container",
    "Database",
    "ErrorInfo",
    "Folder",
    "FolderProblem",
    "HeavyModule",
    "Invocation",
    "Lab",
    "LabError",
    "LabSettings",
    "LoadError",
    "ObjectStore",
    "Outcome",
    "ParameterStore",
    "Scenario",
    "SingletonNotFound",
    "SnippetHalted",
    "SnippetSpec",
    "Verdict",
    "check_claims",
    "format_outcome",
    "format_trace",
    "load_claims",
    "load_folder",
    "load_scenarios",
    "parse_claims",
    "verify",
)
