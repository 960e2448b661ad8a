"""Proving snippet claims: the bridge between the site tooling and the lab.

Reads each `snippets/<REF-ID>/` folder once, into a
[`sima_lab.Folder`][sima_lab.folder.Folder]
([`read_folder`][sima.proofs.prover.read_folder]), runs each claim with
[`Folder.verify`][sima_lab.folder.Folder.verify] and turns the results into
[`SnippetView`][sima.site.blocks.SnippetView] values for the pages and
[`Problem`][sima.content.problems.Problem] values for `sima check`, `sima verify` and
the build (the lab's problems carry path and line as fields, taken over as they are).
The browser's payloads come from the same readings
([`SnippetCache.payloads`][sima.proofs.prover.SnippetCache.payloads]), and `sima
verify --mutants` proves and mutates one [`Selection`][sima.proofs.prover.Selection].

- A broken folder (bad `claims.toml`, syntax error, claim without a file...) is an
  error: the page cannot show it.
- A claim the lab does not observe, or a check that cannot run, is a warning: `mkdocs
  serve` still shows the page with the failure in it, while `--strict` and
  `sima verify` fail.
- A folder whose name is no entry's ID, a snippet no entry shows, and an
  `@snippet(...)` line naming no snippet are warnings with file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sima_lab
import sima_lab.mutants
from sima.content.catalog import Catalog
from sima.content.problems import Problem, Severity
from sima.content.settings import Settings
from sima.site.blocks import UNPROVEN, SnippetView
from sima.site.pages import snippet_markers
from sima_lab.timeline import timeline_svg
from sima_lab.trace import format_outcome


def snippet_folders(settings: Settings) -> list[Path]:
    """The snippet folders (`snippets/<REF-ID>/`), sorted by name."""
    if not settings.snippets_dir.is_dir():
        return []
    return sorted(p for p in settings.snippets_dir.iterdir() if p.is_dir() and _wanted(p))


def _wanted(path: Path) -> bool:
    return not path.name.startswith((".", "_"))


def _problem(lab_problem: sima_lab.FolderProblem, severity: Severity = Severity.ERROR) -> Problem:
    """A lab problem (path and line as fields) as a sima problem."""
    return Problem(lab_problem.path, lab_problem.line, lab_problem.message, severity)


def read_folder(path: Path, settings: Settings) -> sima_lab.Folder:
    """One snippet folder read from disk, its paths shown from the project root."""
    return sima_lab.load_folder(path, root=settings.root)


def unproven_view(spec: sima_lab.SnippetSpec) -> SnippetView:
    """What a page shows of a snippet whose claim is unproven: nothing was run."""
    return SnippetView(
        key=spec.key,
        path=spec.path,
        source=spec.source,
        claim=UNPROVEN,
        says=spec.claim.says if spec.claim is not None else "",
        status=UNPROVEN,
        observed="",
        report="",
    )


def view_of(spec: sima_lab.SnippetSpec, outcome: sima_lab.Outcome) -> SnippetView:
    """What a page shows of a snippet, from its spec and the lab's outcome."""
    claim = spec.claim
    observed = outcome.verdict.observed if outcome.verdict is not None else outcome.message
    return SnippetView(
        key=spec.key,
        path=spec.path,
        source=spec.source,
        claim=outcome.declared,
        says=claim.says if claim is not None else "",
        fails=claim.fails if claim is not None else (),
        status=outcome.status,
        observed=observed,
        report=format_outcome(outcome),
        message=outcome.message,
        fixes=claim.fixes if claim is not None else None,
        timeline=timeline_svg(
            outcome.trace, outcome.observed_failures if outcome.verdict is not None else None
        ),
    )


def _marker_problems(catalog: Catalog, paths: dict[str, str]) -> list[Problem]:
    """`@snippet` lines that name no snippet, and snippets that no entry shows.

    Args:
        catalog: The entries.
        paths: Each claimed snippet's key to its file, as messages show it.
    """
    problems: list[Problem] = []
    shown: set[str] = set()
    for entry in catalog.entries.values():
        for line, key in snippet_markers(entry).items():
            shown.add(key)
            if key not in paths:
                message = f"unknown snippet '{key}' (no snippet file with a claim has that name)"
                problems.append(Problem(entry.path, line, message, Severity.WARNING))
    for key in sorted(set(paths) - shown):
        ref_id, name = key.split("/", 1)
        if ref_id not in catalog.entries:
            continue  # the folder itself is reported: its name is no entry's ID
        message = f"no entry shows this snippet: add a line `@snippet({name})` to {ref_id}"
        problems.append(Problem(paths[key], 0, message, Severity.WARNING))
    return problems


@dataclass(frozen=True)
class FolderScan:
    """A snippet folder as read, with every static problem, as sima values.

    Attributes:
        folder: The lab's reading of it (its `digest` keys the cache of results).
        problems: Static problems (broken files, unknown REF-ID).
    """

    folder: sima_lab.Folder
    problems: tuple[Problem, ...]


def scan_folder(folder: sima_lab.Folder, known_ids: Iterable[str]) -> FolderScan:
    """The static problems of a folder read: its own, and a name that is no entry's ID."""
    problems = [_problem(p) for p in folder.problems]
    if folder.ref_id not in set(known_ids):
        problems.append(
            Problem(
                folder.path,
                0,
                f"snippet folder for unknown ID {folder.ref_id}: the folder's name must be "
                "the REF-ID of the entry that shows its snippets",
                Severity.WARNING,
            )
        )
    return FolderScan(folder, tuple(problems))


def static_scan(settings: Settings, catalog: Catalog) -> tuple[list[Problem], dict[str, str]]:
    """Everything wrong with the snippets that can be found without running a claim,
    and each claimed snippet's claim (`good`, `bad`, `unproven`) by key."""
    problems: list[Problem] = []
    paths: dict[str, str] = {}
    claims: dict[str, str] = {}
    for path in snippet_folders(settings):
        scan = scan_folder(read_folder(path, settings), catalog.entries)
        problems.extend(scan.problems)
        for spec in scan.folder.snippets:
            if spec.claim is not None:
                paths[spec.key] = spec.path
                claims[spec.key] = spec.claim.claim
    return problems + _marker_problems(catalog, paths), claims


def static_problems(settings: Settings, catalog: Catalog) -> list[Problem]:
    """Everything wrong with the snippets that can be found without running a claim."""
    return static_scan(settings, catalog)[0]


def _prove(scan: FolderScan) -> tuple[list[SnippetView], list[Problem]]:
    views: list[SnippetView] = []
    problems: list[Problem] = []
    for spec in scan.folder.snippets:
        if spec.claim is None:
            continue  # check_claims already reported it
        if not spec.claim.proven:
            views.append(unproven_view(spec))
            continue
        outcome = scan.folder.verify(spec.name)
        views.append(view_of(spec, outcome))
        if outcome.status != "pass":
            assert outcome.problem is not None  # only a pass has none
            problems.append(_problem(outcome.problem, Severity.WARNING))
    return views, problems


@dataclass
class SnippetCache:
    """Claim results by folder content, so `mkdocs serve` re-runs only what changed.

    Each [`collect`][sima.proofs.prover.SnippetCache.collect] reads every folder once;
    [`payloads`][sima.proofs.prover.SnippetCache.payloads] gives the browser's data
    from those same readings. One cache belongs to one plugin object; nothing is
    shared between processes.
    """

    _results: dict[str, tuple[list[SnippetView], list[Problem]]] = field(default_factory=dict)
    _folders: list[sima_lab.Folder] = field(default_factory=list)

    def collect(
        self, settings: Settings, catalog: Catalog
    ) -> tuple[dict[str, SnippetView], list[Problem]]:
        """Every snippet's view by key, and every problem (static and failed claims)."""
        views: dict[str, SnippetView] = {}
        problems: list[Problem] = []
        fresh: dict[str, tuple[list[SnippetView], list[Problem]]] = {}
        folders = [read_folder(path, settings) for path in snippet_folders(settings)]
        for folder in folders:
            scan = scan_folder(folder, catalog.entries)
            problems.extend(scan.problems)
            result = self._results.get(folder.digest) or _prove(scan)
            fresh[folder.digest] = result
            views.update((view.key, view) for view in result[0])
            problems.extend(result[1])
        self._results = fresh
        self._folders = folders
        paths = {key: view.path for key, view in views.items()}
        return views, problems + _marker_problems(catalog, paths)

    def payloads(self) -> dict[str, dict[str, object]]:
        """The browser's payload of every folder the last `collect` read, by REF-ID
        (see [`Folder.to_payload`][sima_lab.folder.Folder.to_payload])."""
        return {folder.ref_id: folder.to_payload() for folder in self._folders}


def _select(
    settings: Settings, paths: Sequence[Path]
) -> tuple[dict[Path, set[str] | None], list[Problem]]:
    """Folders to prove, each with the snippet names asked for (None: all)."""
    if not paths:
        return dict.fromkeys(snippet_folders(settings)), []
    chosen: dict[Path, set[str] | None] = {}
    problems: list[Problem] = []
    root = settings.snippets_dir.resolve()
    for given in paths:
        path = given.resolve()
        folder = path if path.is_dir() else path.parent
        shown = settings.rel(given)
        if not path.exists():
            problems.append(Problem(shown, 0, "no such file or folder"))
        elif path == root:
            chosen.update({f.resolve(): None for f in snippet_folders(settings)})
        elif folder.parent != root or (path.is_file() and path.suffix != ".py"):
            problems.append(
                Problem(
                    shown, 0, f"not a snippet: expected {settings.rel(root)}/<REF-ID>/<name>.py"
                )
            )
        elif path.is_dir():
            chosen[folder] = None
        elif chosen.get(folder, set()) is not None:
            names = chosen.setdefault(folder, set())
            assert names is not None
            names.add(path.stem)
    return chosen, problems


@dataclass(frozen=True)
class Selection:
    """The snippet folders a command asked for, each read once.

    Attributes:
        folders: Each folder with the snippet names asked for (None: all of them).
        problems: Paths that name no snippet.
    """

    folders: tuple[tuple[sima_lab.Folder, frozenset[str] | None], ...]
    problems: tuple[Problem, ...]


def select(settings: Settings, paths: Sequence[Path] = ()) -> Selection:
    """Read the folders of the snippets under `paths` (default: every snippet).

    Args:
        settings: The project settings.
        paths: Snippet files or folders; a file must be `snippets/<REF-ID>/<name>.py`.
    """
    chosen, problems = _select(settings, paths)
    folders = tuple(
        (read_folder(path, settings), None if names is None else frozenset(names))
        for path, names in chosen.items()
    )
    return Selection(folders, tuple(problems))


def verify_all(
    settings: Settings, paths: Sequence[Path] = ()
) -> tuple[list[SnippetView], list[Problem]]:
    """Prove the claims of the snippets under `paths` (default: every snippet): see
    [`verify_selection`][sima.proofs.prover.verify_selection]."""
    return verify_selection(select(settings, paths))


def verify_selection(selection: Selection) -> tuple[list[SnippetView], list[Problem]]:
    """Prove the claims of the snippets selected.

    Returns:
        The views of the snippets that were checked (each with its status; unproven
        ones, which are not run, with status `unproven`), and the problems that kept
        a snippet from being checked (its folder's static problems, a path that is
        not a snippet, a file without a claim).
    """
    problems = list(selection.problems)
    views: list[SnippetView] = []
    for folder, names in selection.folders:
        problems.extend(_problem(p) for p in folder.problems)
        wanted = [s for s in folder.snippets if names is None or s.name in names]
        for name in sorted((names or set()) - {s.name for s in folder.snippets}):
            problems.append(Problem(f"{folder.path}/{name}.py", 0, "not a snippet of this folder"))
        for spec in wanted:
            if spec.claim is None:
                if names is not None:
                    problems.append(
                        Problem(spec.path, 0, f"no claim: add [{spec.name}] to claims.toml")
                    )
                continue
            if not spec.claim.proven:
                views.append(unproven_view(spec))
                continue
            views.append(view_of(spec, folder.verify(spec.name)))
    return views, sorted(set(problems))


def lab_payload(path: Path) -> dict[str, object]:
    """A snippet folder read from disk, as the plain data the browser's runner needs
    (see [`Folder.to_payload`][sima_lab.folder.Folder.to_payload])."""
    return sima_lab.load_folder(path).to_payload()


@dataclass(frozen=True)
class MutationScore:
    """How many broken variants of a folder's snippets their claims rejected.

    Attributes:
        folder: The folder, as messages show it.
        trials: Each proven snippet's file with the trials of its variants.
        unproven: How many of the folder's snippets (of those asked for) are
            unproven, and so were skipped: no check could reject a variant of them.
    """

    folder: str
    trials: tuple[tuple[str, tuple[sima_lab.mutants.Trial, ...]], ...]
    unproven: int = 0

    @property
    def total(self) -> int:
        """Variants tried."""
        return sum(len(found) for _, found in self.trials)

    @property
    def rejected(self) -> int:
        """Variants whose check came out `fail`, as it must."""
        return sum(t.rejected for _, found in self.trials for t in found)

    def lines(self) -> list[str]:
        """A line per variant that was not rejected, then the folder's score."""
        lines = [t.format(path) for path, found in self.trials for t in found if not t.rejected]
        skipped = f" ({self.unproven} unproven snippet(s) skipped)" if self.unproven else ""
        lines.append(f"{self.folder}: {self.rejected} of {self.total} mutants rejected{skipped}")
        return lines


def mutation_scores(selection: Selection) -> list[MutationScore]:
    """Try the broken variants of every snippet selected.

    See [`sima_lab.mutants`][sima_lab.mutants] for the variants. Paths that name no
    snippet are left out: [`verify_selection`][sima.proofs.prover.verify_selection]
    reports them.
    """
    scores: list[MutationScore] = []
    for folder, names in selection.folders:
        by_name = sima_lab.mutants.folder_trials(folder)
        paths_of = {spec.name: spec.path for spec in folder.snippets}
        trials = tuple(
            (paths_of[name], tuple(found))
            for name, found in by_name.items()
            if names is None or name in names
        )
        unproven = sum(
            1
            for spec in folder.snippets
            if spec.claim is not None
            and not spec.claim.proven
            and (names is None or spec.name in names)
        )
        scores.append(MutationScore(folder.path, trials, unproven))
    return scores
