"""The generators the site supports, and what a generator that skips the plugin shows.

MkDocs 1.6 and ProperDocs 1.6 run the `sima` plugin (`make test` runs the site tests
under both: `SIMA_GENERATOR=properdocs`). A generator that does not run it (MkDocs 2,
Zensical) still builds the hand-written pages; their notice then says so, and a build
with the plugin removes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, run_mkdocs
from sima_bench.site import generator

NOTICE = "This site was built without the sima plugin"


def test_the_plugin_removes_the_notice(built_site: Path) -> None:
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert NOTICE not in home
    assert (built_site / "entries" / "LESS-22" / "index.html").is_file()


def test_a_build_without_the_plugin_says_so_on_the_home_page(tmp_path: Path) -> None:
    # The site's own configuration with only Material's search plugin, as a generator
    # that skips the plugins it does not know would build it.
    written = tmp_path / "mkdocs.yml"
    config = {
        "INHERIT": str(ROOT / "mkdocs.yml"),
        "docs_dir": str(ROOT / "docs"),
        "plugins": ["search"],
        "hooks": [],
        "watch": [],
    }
    written.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run_mkdocs(written, "build", "-d", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    home = BeautifulSoup((tmp_path / "site" / "index.html").read_text("utf-8"), "html.parser")
    notice = home.select_one(".admonition.danger")
    assert notice is not None and NOTICE in notice.get_text()
    assert not (tmp_path / "site" / "entries").exists()


def test_the_generator_is_one_that_runs_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMA_GENERATOR", "zensical")
    with pytest.raises(ValueError, match="use one of mkdocs, properdocs"):
        generator()
