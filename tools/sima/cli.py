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
from typing import TYPE_CHECKING

from sima.content.catalog import docs_problems, load_catalog
from sima.content.problems import Problem
from sima.content.settings import Settings, SettingsError, load_settings
from sima.site.blocks import UNPROVEN
from sima_lab.errors import Interrupted

if TYPE_CHECKING:
    from sima.legacy.corpus import ImportReport


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(Path(args.config))


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in sorted(problems):
        print(problem)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate entries, references and snippets, and report proof coverage; run no claim."""
    from sima.proofs.coverage import catalog_coverage, coverage_lines
    from sima.proofs.prover import static_scan

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
    """Convert legacy bold-header entries into front-matter entries, their code into
    unproven snippets."""
    from sima.legacy.corpus import import_paths, prefixes_block

    settings = _settings(args)
    report = import_paths(
        [Path(s) for s in args.sources],
        Path(args.out),
        settings,
        overwrite=args.overwrite,
        stubs=args.stubs,
        snippets_dir=Path(args.snippets) if args.snippets else None,
    )
    rel = settings.rel
    for source, destination, _ in report.written:
        print(f"{rel(source)} -> {rel(destination)}")
    for problem in sorted(report.warnings):
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        print(f"{where}: warning: {problem.message}")
    for source, reason in report.skipped:
        print(f"{rel(source)}: skipped: {reason}")
    for source, edited in report.kept:
        print(
            f"{rel(edited)}: kept: edited or deleted since the import wrote it (or not "
            f"written by it); --overwrite imports {rel(source)} over it"
        )
    for stub in report.stubs:
        print(f"{rel(stub.destination)}: planned stub for {stub.ref_id}, named at {stub.where}")
    _print_problems(report.failed)
    if report.undefined:
        first, where = report.undefined[0]
        print(
            f"{len(report.undefined)} ID(s) are named but defined nowhere ({first} at {where} "
            "first); --stubs writes a planned stub for each"
        )
    code = 1 if report.failed else 0
    if report.prefixes:
        new = {guess.prefix: guess.meaning for guess in report.prefixes}
        written = args.write_prefixes and _write_prefixes(Path(args.config), settings, report)
        if not written:
            print(
                f"{len(new)} ID prefix(es) are not configured ({', '.join(new)}); give the "
                f"sima plugin in {args.config} this `prefixes:` block (or run again with "
                "--write-prefixes), and check each meaning:\n"
            )
            print(prefixes_block(settings.prefixes, report.prefixes))
            code = code or int(bool(args.write_prefixes))
    if report.after:
        print("sima check will still report, once the prefixes are configured:")
        _print_problems(report.after)
    print(
        f"{report.converted} of {report.entry_files} entry files converted "
        f"({report.rate:.1%}): {len(report.written)} written, {len(report.unchanged)} "
        f"unchanged, {len(report.kept)} kept; {len(report.failed)} failed; "
        f"{len(report.skipped)} hub or index page(s) skipped; {len(report.snippets)} "
        f"snippet file(s) written; {len(report.stubs)} stub(s)",
        file=sys.stderr,
    )
    return code


def _write_prefixes(config: Path, settings: Settings, report: ImportReport) -> bool:
    """Add the report's new prefixes to the sima plugin in `config`; False if it cannot."""
    from sima.legacy.corpus import add_prefixes

    new = {guess.prefix: guess.meaning for guess in report.prefixes}
    comments = {guess.prefix: f"added by sima import, {guess.how}" for guess in report.prefixes}
    try:
        text = add_prefixes(
            config.read_text(encoding="utf-8"), config, settings.prefixes, new, comments
        )
        config.write_text(text, encoding="utf-8")
    except (OSError, SettingsError) as exc:
        print(f"sima: cannot add the prefixes: {exc}", file=sys.stderr)
        return False
    print(f"added the ID prefixes {', '.join(new)} to {config}")
    return True


def cmd_verify(args: argparse.Namespace) -> int:
    """Run every snippet's claim in the lab (or only those given)."""
    from sima.proofs.prover import select, verify_selection

    selection = select(_settings(args), [Path(p) for p in args.paths])  # each folder read once
    results, problems = verify_selection(selection)
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
        from sima.proofs.prover import mutation_scores

        for score in mutation_scores(selection):
            for line in score.lines():
                print(line)
            failed += score.total - score.rejected
    tail = f", {skipped} unproven skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run one snippet's scenario, print its trace and verdict."""
    from sima.proofs.prover import verify_all

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
    from sima.content.scaffold import ScaffoldError, scaffold

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
    from sima.content.schema import SCHEMA_FILE, json_schema_text

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
    imp.add_argument(
        "--snippets", help="folder for the snippet folders (default: the configured one)"
    )
    imp.add_argument(
        "--stubs",
        action="store_true",
        help="write a planned stub for each ID the entries name and nothing defines",
    )
    imp.add_argument(
        "--write-prefixes",
        action="store_true",
        help="add the ID prefixes the configuration lacks to the sima plugin in mkdocs.yml",
    )
    imp.add_argument(
        "--overwrite",
        action="store_true",
        help="replace entries edited since the last import (or not written by it)",
    )
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
