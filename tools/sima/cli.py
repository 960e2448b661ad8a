"""The `sima` command: the same catalog and lab as the site, without building it.

Every problem is printed as `path:line: message`; the exit code is 1 when there is
any, 0 otherwise, and 2 for a usage or configuration error.

Snippet code cannot end the command: `SystemExit`, `KeyboardInterrupt` and
`os._exit()` inside an invocation are that invocation's error (see
`sima_lab.container`), and one that escapes the lab all the same is reported as a
problem with the snippet's file and line. Ctrl+C still stops the command (exit 130):
while it runs, SIGINT raises `sima_lab.errors.Interrupted`, which no container keeps.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from sima.catalog import docs_problems, load_catalog
from sima.problems import Problem
from sima.settings import Settings, SettingsError, load_settings
from sima.snippets import UNPROVEN
from sima_lab.errors import Interrupted


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(Path(args.config))


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in sorted(problems):
        print(problem)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate entries, references and snippets, and report proof coverage; run no claim."""
    from sima.coverage import catalog_coverage, coverage_lines
    from sima.proofs import static_scan

    settings = _settings(args)
    catalog = load_catalog(settings)
    snippet_problems, claims = static_scan(settings, catalog)
    problems = [*catalog.problems, *snippet_problems, *docs_problems(settings, catalog)]
    _print_problems(problems)
    # Coverage is not a problem: it goes beside the summary, on stderr.
    for line in coverage_lines(catalog, catalog_coverage(catalog, claims)):
        print(line, file=sys.stderr)
    stubs = sum(e.is_stub for e in catalog.entries.values())
    summary = f"{len(catalog.entries)} entries ({stubs} planned), {len(problems)} problem(s)"
    print(summary, file=sys.stderr)
    return 1 if problems else 0


def cmd_import(args: argparse.Namespace) -> int:
    """Convert legacy bold-header entries into front-matter entries."""
    from sima.importer import import_paths

    settings = _settings(args)
    report = import_paths(
        [Path(s) for s in args.sources], Path(args.out), settings, overwrite=args.overwrite
    )
    for source, destination, notes in report.written:
        extra = f" ({'; '.join(notes)})" if notes else ""
        print(f"{source} -> {destination}{extra}")
    _print_problems(report.failed)
    print(f"{len(report.written)} converted, {len(report.failed)} failed", file=sys.stderr)
    return 1 if report.failed else 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Run every snippet's claim in the lab (or only those given)."""
    from sima.proofs import verify_all

    settings = _settings(args)
    results, problems = verify_all(settings, [Path(p) for p in args.paths])
    _print_problems(problems)
    passed = skipped = 0
    for view in results:
        if view.status == "pass":
            passed += 1
            print(f"PASS {view.path}: {view.claim}, {view.observed}")
        elif view.status == UNPROVEN:
            skipped += 1
            print(f"SKIP {view.path}: unproven, no scenario checks it")
        else:
            print(f"{view.status.upper()} {view.message}")
    failed = len(results) - passed - skipped + len(problems)
    if args.mutants:
        from sima.proofs import mutation_scores

        for score in mutation_scores(settings, [Path(p) for p in args.paths]):
            for line in score.lines():
                print(line)
            failed += score.total - score.rejected
    tail = f", {skipped} unproven skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run one snippet's scenario, print its trace and verdict."""
    from sima.proofs import verify_all

    settings = _settings(args)
    results, problems = verify_all(settings, [Path(args.path)])
    _print_problems(problems)
    if not results:
        if not problems:
            print(f"{args.path}: not a snippet (expected snippets/<REF-ID>/<name>.py)")
        return 1
    view = results[0]
    if view.status == UNPROVEN:
        print(f"{view.path}: unproven: no scenario checks it, so there is nothing to run")
        return 1
    print(view.report)
    if view.status != "pass":
        print(view.message)
    return 0 if view.status == "pass" else 1


def cmd_new(args: argparse.Namespace) -> int:
    """Scaffold an entry and its snippets folder."""
    from sima.scaffold import ScaffoldError, scaffold

    settings = _settings(args)
    try:
        created = scaffold(settings, args.ref_id, args.title, kind=args.type)
    except ScaffoldError as exc:
        print(exc, file=sys.stderr)
        return 1
    for path in created:
        print(f"created {settings.rel(path)}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the front-matter JSON Schema, or write it to the committed file."""
    from sima.schema import SCHEMA_FILE, json_schema_text

    text = json_schema_text()
    if args.write:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_FILE}")
    else:
        sys.stdout.write(text)
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and tests)."""
    top = argparse.ArgumentParser(prog="sima", description=__doc__.splitlines()[0])
    top.add_argument(
        "--config", default="mkdocs.yml", help="the mkdocs.yml holding the sima plugin options"
    )
    sub = top.add_subparsers(dest="command", required=True)

    sub.add_parser("check", help=cmd_check.__doc__).set_defaults(func=cmd_check)

    imp = sub.add_parser("import", help=cmd_import.__doc__)
    imp.add_argument("sources", nargs="+", help="legacy .md files or folders")
    imp.add_argument("--out", required=True, help="folder to write entries into")
    imp.add_argument("--overwrite", action="store_true", help="replace existing entries")
    imp.set_defaults(func=cmd_import)

    ver = sub.add_parser("verify", help=cmd_verify.__doc__)
    ver.add_argument("paths", nargs="*", help="snippet files or folders (default: all)")
    ver.add_argument(
        "--mutants",
        action="store_true",
        help="also check that each snippet's claim rejects broken variants of it "
        "(its handler raising an unrelated error, doing nothing...); a survivor fails",
    )
    ver.set_defaults(func=cmd_verify)

    run = sub.add_parser("run", help=cmd_run.__doc__)
    run.add_argument("path", help="snippets/<REF-ID>/<name>.py")
    run.set_defaults(func=cmd_run)

    new = sub.add_parser("new", help=cmd_new.__doc__)
    new.add_argument("ref_id", metavar="REF-ID")
    new.add_argument("--title", required=True)
    new.add_argument("--type", help="entry type (default: the prefix's meaning)")
    new.set_defaults(func=cmd_new)

    schema = sub.add_parser("schema", help=cmd_schema.__doc__)
    schema.add_argument("--write", action="store_true", help="update the committed file")
    schema.set_defaults(func=cmd_schema)
    return top


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted("interrupted")


@contextmanager
def _ctrl_c_stops_the_command() -> Iterator[None]:
    """Make SIGINT raise `Interrupted` (which the lab lets through) while inside."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _escaped(exc: BaseException) -> str:
    """Where snippet code raised `exc` outside an invocation: `path:line: ...`."""
    where = "sima"
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename.replace("\\", "/")
        if "snippets/" in name:
            where = f"{name[name.index('snippets/') :]}:{line}"
    detail = f"({exc.code})" if isinstance(exc, SystemExit) else f": {exc}" if str(exc) else ""
    return f"{where}: {type(exc).__name__}{detail} escaped the lab; the check stopped there"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sima` console script."""
    args = parser().parse_args(argv)
    try:
        with _ctrl_c_stops_the_command():
            code: int = args.func(args)
    except SettingsError as exc:
        print(f"sima: {exc}", file=sys.stderr)
        return 2
    except Interrupted:
        print("sima: interrupted", file=sys.stderr)
        return 130
    except (SystemExit, KeyboardInterrupt) as exc:  # raised by snippet code, not by us
        print(_escaped(exc))
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
