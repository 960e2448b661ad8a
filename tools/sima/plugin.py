"""MkDocs plugin: thin glue over `sima.content`, `sima.site`, `sima.proofs`, `sima.runtime`.

Hooks only. Per-build state lives on the plugin object and is reset in `on_config`;
what a rebuild may reuse (parsed entries, rendered entry pages, proven snippet
folders, generated page hashes, compiled templates) is kept on it too, because
`mkdocs serve` reuses the object across rebuilds. Content problems never raise a
traceback: errors stop the build with a `PluginError`
listing every `path:line: message`; warnings are logged (and, under `--strict`, stop
the build before the site folder is touched).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

import sima_lab
from sima.content.catalog import Catalog, EntryReader, docs_problems, load_catalog
from sima.content.problems import Problem, Severity
from sima.content.settings import DEFAULT_PREFIXES, Settings
from sima.proofs.coverage import Provenance, build_provenance, catalog_coverage, pinned_pyodide
from sima.proofs.prover import SnippetCache
from sima.runtime.assemble import RuntimeError_, prepare_runtime
from sima.site.blocks import SnippetView, later_path, picture_path
from sima.site.csp import add_policy
from sima.site.dirty import (
    Generated,
    TemplateCache,
    UnchangedFile,
    page_hash,
    poll_sooner,
    rebuild_written_pages,
    site_shape,
)
from sima.site.id_index import id_index
from sima.site.offline import write_service_worker
from sima.site.pages import (
    KEYWORD_PAGES,
    EntryPages,
    Quotes,
    RenderedPage,
    backlinks_of,
    catalog_names,
    expand_nav,
    links_out,
    quotes_through,
    render_indexes,
    resolver,
    slot,
    strip_without_plugin,
)
from sima.site.search_hold import HOLD_SCRIPT, hold_search_index
from sima.site.search_scope import api_tables_out_of_search

log = get_plugin_logger(__name__)

ASSETS = Path(__file__).parent / "assets"
LAB_DIR = Path(sima_lab.__file__).parent

#: Files copied from node_modules into the site: site path -> package path.
VENDORED = {
    "assets/vendor/tablesort.min.js": "tablesort/dist/tablesort.min.js",
    "assets/vendor/tablesort.number.min.js": "tablesort/dist/sorts/tablesort.number.min.js",
}
#: The browser code, ES modules in tools/sima/frontend/ bundled by `npm run build` (its
#: build.mjs) into node_modules/.sima/: site path -> path in node_modules. Every page:
BUNDLES = {
    "assets/sima/site.js": ".sima/site.js",
    HOLD_SCRIPT: ".sima/hold-search.js",  # put in by `hold_search_index`
}
#: With the `id_search` option.
FIND_BUNDLES = {"assets/sima/find.js": ".sima/find.js"}
#: With the `runner` option: the in-page runner (which imports the build's settings,
#: assets/sima/config.js), its Python worker, and the editor it imports on demand.
RUN_BUNDLES = {
    "assets/sima/run.js": ".sima/run.js",
    "assets/sima/python-worker.js": ".sima/python-worker.js",
    "assets/vendor/editor.js": ".sima/editor.js",
}


def module_script(path: str) -> c.ExtraScriptValue:
    """An `extra_javascript` entry that pages load as an ES module."""
    script = c.ExtraScriptValue(path)
    script.type = "module"
    return script


#: Markdown extensions the generated pages rely on.
EXTENSIONS = ["attr_list", "md_in_html", "admonition", "pymdownx.details", "pymdownx.superfences"]


class SimaConfig(base.Config):  # type: ignore[no-untyped-call]  # MkDocs is untyped
    """Options of the `sima` plugin in `mkdocs.yml`."""

    entries_dir = c.Type(str, default="entries")
    """Folder of entry Markdown files (searched recursively), relative to mkdocs.yml."""

    snippets_dir = c.Type(str, default="snippets")
    """Folder of snippets, one sub-folder per REF-ID, relative to mkdocs.yml."""

    prefixes = c.Type(dict, default=dict(DEFAULT_PREFIXES))
    """ID prefixes and their meanings, e.g. `LESS: Lesson Learned`."""

    node_modules = c.Type(str, default="node_modules")
    """Where `npm ci` put the front-end packages the site serves itself."""

    run_timeout = c.Type((int, float, str), default=10)
    """Seconds a snippet may run in the browser before its worker is restarted (a
    string is accepted so that `!ENV [SIMA_RUN_TIMEOUT, 10]` works)."""

    runner = c.Type(bool, default=True)
    """Add Run, Stop, Reset and an editor to each snippet, with Pyodide in the site."""

    id_search = c.Type(bool, default=True)
    """Find entries by REF-ID in the search box, preview ID links, the `i` shortcut."""

    nav_limit = c.Type(int, default=200)
    """Most entries listed in the sidebar. Material renders the whole sidebar into
    every page, so beyond this the entries are reached through the Browse pages and
    search instead: at 1,000 entries a full sidebar is 190 KB of every page and most
    of the build time, and it grows with the square of the entry count."""

    cache_dir = c.Type(str, default=".cache/sima")
    """Where the built lab wheel and Pyodide lock are kept between builds."""

    csp = c.Type(bool, default=True)
    """Put a Content-Security-Policy in every page (a `<meta>` tag) that lets the
    browser load from the site's own host only: what a reader runs in the page cannot
    send a request anywhere else (see `sima.site.csp`). Turn it off for a site that loads
    something from another host on purpose."""


class SimaPlugin(BasePlugin[SimaConfig]):  # type: ignore[no-untyped-call]
    """Builds entry and index pages, links REF-IDs and proves snippet claims."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.catalog: Catalog | None = None
        self.snippet_views: dict[str, SnippetView] = {}
        # HTML put into generated pages after Markdown, by page path.
        self.inserts: dict[str, Mapping[str, str]] = {}
        # Each generated page's later file (traces, diff panels), by page path.
        self.later: dict[str, Mapping[str, str]] = {}
        # Each generated page's pictures (timelines' SVG files), by page path.
        self.pictures: dict[str, Mapping[str, str]] = {}
        # Keyed by content, so serve rebuilds re-read and re-run only what changed.
        self.entry_reader = EntryReader()
        self.entry_pages = EntryPages()
        self.snippet_cache = SnippetCache()
        # `mkdocs serve` injects an inline live-reload script no hash can name.
        self.serving = False
        # Site paths of the runtime's files, for the service worker (after the build).
        self.runtime_files: list[str] = []
        # `mkdocs serve --dirty`: the generated pages of the last build (sima.site.dirty).
        self.dirty = False
        self.generated: Generated | None = None
        self.templates = TemplateCache()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Note whether this is `mkdocs serve` (for the page's policy), and whether
        its rebuilds are dirty (only what changed is rebuilt)."""
        self.serving = command == "serve"
        self.dirty = dirty

    # -- configuration --------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Reset state, resolve settings, make sure the needed extensions are on."""
        root = Path(config.config_file_path).parent
        self.settings = Settings.from_options(root, dict(self.config), Path(config.docs_dir))
        self.catalog = None
        self.snippet_views = {}
        self.inserts = {}
        self.later = {}
        self.pictures = {}
        self.runtime_files = []
        for name in EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if config.theme.name == "material":
            # Material's own switch to set up each code block (copy button, its
            # measuring) when it comes into view rather than all at once at load.
            features = list(config.theme.get("features") or [])
            if "content.lazy" not in features:
                config.theme["features"] = [*features, "content.lazy"]
        # One stylesheet (the timelines' too): each is a render-blocking request.
        config.extra_css.append("assets/sima/sima.css")
        config.extra_javascript.append("assets/vendor/tablesort.min.js")
        config.extra_javascript.append("assets/vendor/tablesort.number.min.js")
        config.extra_javascript.append(module_script("assets/sima/site.js"))
        if self.config.id_search:
            config.extra_javascript.append(module_script("assets/sima/find.js"))
        if self.config.runner:
            # run.js imports config.js; named here too, both are fetched at once.
            config.extra_javascript.append(module_script("assets/sima/config.js"))
            config.extra_javascript.append(module_script("assets/sima/run.js"))
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Read and check all content before MkDocs cleans the site folder."""
        assert self.settings is not None
        catalog = load_catalog(self.settings, self.entry_reader)
        views, snippet_problems = self.snippet_cache.collect(self.settings, catalog)
        problems = [*catalog.problems, *snippet_problems, *docs_problems(self.settings, catalog)]
        self._report(problems, strict=bool(config.strict))
        self.catalog = catalog
        self.snippet_views = views
        if config.nav is not None:
            config.nav = expand_nav(config.nav, catalog, listed=self._entries_in_nav())

    def _entries_in_nav(self) -> bool:
        assert self.catalog is not None
        return len(self.catalog.entries) <= self.config.nav_limit

    def _report(self, problems: list[Problem], *, strict: bool) -> None:
        errors = [p for p in problems if p.severity is Severity.ERROR]
        warnings = [p for p in problems if p.severity is Severity.WARNING]
        if errors or (strict and warnings):
            listing = "\n".join(f"  {p}" for p in sorted([*errors, *warnings]))
            kind = f"{len(errors)} error(s)" if errors else f"{len(warnings)} warning(s)"
            raise PluginError(f"sima: {kind} in the content; nothing was built:\n{listing}")
        for problem in warnings:
            log.warning(str(problem))

    # -- files and pages --------------------------------------------------------------

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        """Add the generated entry and index pages and the site's own assets."""
        assert self.catalog is not None and self.settings is not None
        catalog = self.catalog
        backlinks = backlinks_of(catalog)
        outbound = links_out(backlinks)
        claims = {key: view.claim for key, view in self.snippet_views.items()}
        coverage = catalog_coverage(catalog, claims)
        provenance = self._provenance()
        entry_level = (
            InclusionLevel.UNDEFINED if self._entries_in_nav() else InclusionLevel.NOT_IN_NAV
        )
        pages: list[tuple[RenderedPage, InclusionLevel]] = []
        names = catalog_names(catalog)
        directory_urls = bool(config.use_directory_urls)
        quotes = self._quotes(config)
        self.entry_pages.start()
        for entry in catalog.entries.values():
            page = self.entry_pages.render(
                entry,
                catalog,
                backlinks,
                self.snippet_views,
                outbound,
                coverage[entry.ref_id],
                provenance,
                names=names,
                directory_urls=directory_urls,
                quotes=quotes,
            )
            pages.append((page, entry_level))
        for index in render_indexes(catalog, coverage, directory_urls=directory_urls):
            # Keyword pages stay out of an automatic nav: hundreds of them would make
            # every page's nav (rendered on every page) that much longer.
            level = (
                InclusionLevel.NOT_IN_NAV
                if index.uri.startswith(KEYWORD_PAGES)
                else InclusionLevel.UNDEFINED
            )
            pages.append((index, level))
        self._generate_all(files, config, pages)
        for asset in sorted(ASSETS.iterdir()):
            if asset.is_file():
                files.append(
                    File.generated(config, f"assets/sima/{asset.name}", abs_src_path=str(asset))
                )
        modules = self.settings.root / self.config.node_modules
        vendored = {
            **VENDORED,
            **BUNDLES,
            **(FIND_BUNDLES if self.config.id_search else {}),
            **(RUN_BUNDLES if self.config.runner else {}),
        }
        for site_path, package_path in vendored.items():
            source = modules / package_path
            if not source.is_file():
                raise PluginError(
                    f"sima: {source} is missing; run `make setup` (npm ci and npm run build)"
                )
            files.append(File.generated(config, site_path, abs_src_path=str(source)))
        if self.config.id_search:
            ids = json.dumps(id_index(catalog, bool(config.use_directory_urls)), ensure_ascii=False)
            files.append(File.generated(config, "assets/sima/ids.json", content=ids))
        if self.config.runner:
            self._add_runner(files, config, modules)
        return files

    @staticmethod
    def _quotes(config: MkDocsConfig) -> Quotes:
        """The renderer of quoted sentences: the site's Markdown extensions, those
        configured by name (an extension object belongs to the site's own Markdown)."""
        names = [name for name in config.markdown_extensions if isinstance(name, str)]
        configs = {name: config.mdx_configs[name] for name in names if name in config.mdx_configs}
        return quotes_through(names, configs)

    def _provenance(self) -> Provenance:
        """Where this build proves the claims: this CPython, on this date (or
        `SOURCE_DATE_EPOCH`'s), and the pinned Pyodide the runner re-checks them in."""
        assert self.settings is not None
        pyodide = python = None
        if self.config.runner:
            modules = self.settings.root / self.config.node_modules
            pyodide, python = pinned_pyodide(modules / "pyodide")
        return build_provenance(os.environ, pyodide, python)

    def _generate_all(
        self, files: Files, config: MkDocsConfig, pages: list[tuple[RenderedPage, InclusionLevel]]
    ) -> None:
        """Add the generated pages; under `mkdocs serve --dirty`, those that did not
        change since the last build as unchanged (see sima.site.dirty)."""
        assert self.catalog is not None
        titles = {ref_id: entry.title for ref_id, entry in self.catalog.entries.items()}
        current = Generated(
            {page.uri: page_hash(page.markdown, page.beside_markdown()) for page, _ in pages},
            site_shape(titles, (page.uri for page, _ in pages), config.nav),
        )
        previous, self.generated = self.generated, current
        if self.dirty and previous is not None and previous.shape != current.shape:
            rebuild_written_pages(files)
        kept = 0
        for page, level in pages:
            unchanged = self.dirty and current.unchanged(previous, page.uri)
            kind = UnchangedFile if unchanged else File
            kept += unchanged
            files.append(kind.generated(config, page.uri, content=page.markdown, inclusion=level))
            if page.inserts:
                self.inserts[page.uri] = page.inserts
            if page.later:
                self.later[page.uri] = page.later
            if page.pictures:
                self.pictures[page.uri] = page.pictures
        if self.dirty and previous is not None:
            log.info(f"sima: {len(pages) - kept} generated page(s) changed, {kept} kept")

    def _add_runner(self, files: Files, config: MkDocsConfig, modules: Path) -> None:
        """Pyodide, the lab wheel, each snippet folder as data, and the runner's settings."""
        assert self.settings is not None
        payloads = self.snippet_cache.payloads()  # the folders on_pre_build read
        try:
            runtime = prepare_runtime(
                modules / "pyodide",
                LAB_DIR,
                self.settings.root / self.config.cache_dir,
                payloads=dict(payloads),
            )
        except RuntimeError_ as exc:
            raise PluginError(f"sima: {exc}") from exc
        # Neither is an error: the worker starts Python the plain (slower) way, or with
        # the whole standard library. Info, not warning: under --strict a warning would
        # stop the build, and it must not.
        if runtime.snapshot_error:
            log.info(f"sima: shipping without a Pyodide snapshot: {runtime.snapshot_error}")
        if runtime.stdlib_error:
            log.info(f"sima: shipping the whole standard library: {runtime.stdlib_error}")
        for site_path, source in runtime.files.items():
            files.append(File.generated(config, site_path, abs_src_path=str(source)))
        self.runtime_files = sorted(runtime.files)
        for name, payload in payloads.items():
            files.append(
                File.generated(
                    config,
                    f"assets/sima/lab/{name}.json",
                    content=json.dumps(payload, ensure_ascii=False),
                )
            )
        settings: dict[str, object] = {
            "timeout": self._timeout(),
            "pyodide": runtime.pyodide_version,
            "runtime": runtime.settings(),
            # The service worker (sima.site.offline): not under `mkdocs serve`, where every
            # page changes while it is read.
            "offline": not self.serving,
        }
        if runtime.snapshot:
            # The worker checks the version before restoring (Pyodide checks its build id).
            settings["snapshot"] = runtime.snapshot
            settings["snapshot_pyodide"] = runtime.pyodide_version
        # An ES module that run.js imports: the one channel from here to the browser
        # code (tools/sima/frontend/runner/settings.mjs says what each setting is).
        script = f"export default {json.dumps(settings)};\n"
        files.append(File.generated(config, "assets/sima/config.js", content=script))

    def _timeout(self) -> float:
        value = self.config.run_timeout
        try:
            seconds = float(value) if isinstance(value, int | float | str) else 0.0
        except ValueError:
            seconds = 0.0
        if seconds <= 0:
            raise PluginError(
                f"sima: run_timeout must be a positive number of seconds, "
                f"not {self.config.run_timeout!r}"
            )
        return seconds

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Link REF-IDs on hand-written pages (entry pages are linked when generated),
        and drop the notice that only a build without this plugin shows."""
        assert self.catalog is not None
        if page.file.generated_by is not None or page.file.src_uri.startswith("entries/"):
            return markdown
        scanner = self.catalog.scanner
        linked = scanner.link(markdown, resolver(self.catalog, page.file.src_uri))
        return strip_without_plugin(linked)

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """API reference tables out of the search index (Material reads the page's
        HTML after this hook)."""
        return api_tables_out_of_search(html)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The service worker, over the finished site (its cache is named by it)."""
        if self.config.runner and not self.serving:
            write_service_worker(Path(config.site_dir), self.runtime_files)

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        """Under `mkdocs serve`, keep the theme's templates compiled between rebuilds."""
        if self.serving:
            env.bytecode_cache = self.templates
        return env

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """Put the graphs into the finished HTML of the pages that have them, write the
        page's later file and pictures beside it, and put the search index's hold script
        and the Content-Security-Policy into every page."""
        for key, html in self.inserts.get(page.file.src_uri, {}).items():
            output = output.replace(slot(key), html, 1)
        beside = {
            picture_path(page.file.dest_uri, key): svg
            for key, svg in self.pictures.get(page.file.src_uri, {}).items()
        }
        later = self.later.get(page.file.src_uri)
        if later:
            beside[later_path(page.file.dest_uri)] = json.dumps(later, ensure_ascii=False)
        for site_path, text in beside.items():
            path = Path(config.site_dir) / site_path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return self._finished(output)

    def on_post_template(
        self, output_content: str, /, *, template_name: str, config: MkDocsConfig
    ) -> str:
        """The hold script and the Content-Security-Policy in the static pages too
        (`404.html`)."""
        if not template_name.endswith(".html"):
            return output_content
        return self._finished(output_content)

    def _finished(self, html: str) -> str:
        html = hold_search_index(html)
        return add_policy(html, any_inline=self.serving) if self.config.csp else html

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        """Rebuild when entries or snippets change; look for changes every 0.2 s."""
        assert self.settings is not None
        if not poll_sooner(server):
            log.debug("the server's file watcher is not MkDocs 1.6's; its interval stays")
        for folder in (self.settings.entries_dir, self.settings.snippets_dir):
            if folder.is_dir():
                server.watch(str(folder))
        return server
