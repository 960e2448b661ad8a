"""Project settings: where entries and snippets live and which ID prefixes exist.

The single source is the `sima` plugin's block in `mkdocs.yml`, so the site build and
the `sima` command can never disagree. [`load_settings`][sima.content.settings.load_settings]
reads that block without importing MkDocs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PREFIXES: Mapping[str, str] = {
    "LESS": "Lesson Learned",
    "INT": "Interface Pattern",
    "ARCH": "Architecture Pattern",
    "DEC": "Design Decision",
}


class SettingsError(Exception):
    """The configuration itself is unusable (missing file, wrong shape)."""


@dataclass(frozen=True)
class Settings:
    """Where content lives, resolved against the project root.

    Attributes:
        root: The project root (the folder holding `mkdocs.yml`).
        entries_dir: Folder of entry Markdown files, searched recursively.
        snippets_dir: Folder of `<REF-ID>/<name>.py` snippets.
        prefixes: ID prefix to its meaning, e.g. `LESS` to `Lesson Learned`.
        docs_dir: MkDocs' folder of hand-written pages (`docs_dir` in `mkdocs.yml`).
    """

    root: Path
    entries_dir: Path
    snippets_dir: Path
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES))
    docs_dir: Path | None = None

    def rel(self, path: Path) -> str:
        """`path` relative to the root when it is inside it, for messages."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    @classmethod
    def from_options(
        cls, root: Path, options: Mapping[str, Any], docs_dir: Path | None = None
    ) -> Settings:
        """Build settings from the plugin options (plain mapping) and a root folder."""
        prefixes = options.get("prefixes") or DEFAULT_PREFIXES
        if not isinstance(prefixes, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in prefixes.items()
        ):
            raise SettingsError("sima: `prefixes` must map each prefix to its meaning")
        return cls(
            root=root,
            entries_dir=root / str(options.get("entries_dir", "entries")),
            snippets_dir=root / str(options.get("snippets_dir", "snippets")),
            prefixes=dict(prefixes),
            docs_dir=docs_dir if docs_dir is not None else root / "docs",
        )


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that turns MkDocs' python tags (`!!python/name:...`) into None."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)
_TolerantLoader.add_multi_constructor("!", _ignore_tag)


def load_settings(config_file: Path) -> Settings:
    """Read the `sima` plugin options from an `mkdocs.yml`.

    Args:
        config_file: Path to `mkdocs.yml`.

    Raises:
        SettingsError: When the file is missing or malformed.
    """
    try:
        text = config_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{config_file}: cannot read: {exc}") from exc
    return settings_from_text(text, config_file)


def settings_from_text(text: str, config_file: Path) -> Settings:
    """[`load_settings`][sima.content.settings.load_settings] on the text of an `mkdocs.yml`
    that lives (or would live) at `config_file`.

    Raises:
        SettingsError: When the text is not YAML or the options are malformed.
    """
    try:
        data = yaml.load(text, Loader=_TolerantLoader)
    except yaml.YAMLError as exc:
        raise SettingsError(f"{config_file}: cannot read: {exc}") from exc
    options: Mapping[str, Any] = {}
    for plugin in (data or {}).get("plugins", []) or []:
        if isinstance(plugin, Mapping) and "sima" in plugin:
            options = plugin["sima"] or {}
    root = config_file.parent
    docs_dir = root / str((data or {}).get("docs_dir") or "docs")
    return Settings.from_options(root, options, docs_dir)
