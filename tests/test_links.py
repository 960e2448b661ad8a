"""Mention scanning and linking: prose only, never code, links, URLs, tags or headings."""

from __future__ import annotations

import textwrap

from sima.content.links import Backlink, LinkTarget, MentionScanner, collect_backlinks, mislabelled

SCANNER = MentionScanner(["LESS", "INT", "DEC"])


def ids(text: str) -> list[str]:
    return [m.ref_id for m in SCANNER.mentions(textwrap.dedent(text))]


def test_prose_mentions_with_lines() -> None:
    text = "Intro.\n\nSee LESS-18 and\nINT-09 here.\n"
    mentions = SCANNER.mentions(text)
    assert [(m.ref_id, m.line) for m in mentions] == [("LESS-18", 3), ("INT-09", 4)]
    assert mentions[0].sentence == "See LESS-18 and INT-09 here."


def test_code_fences_are_skipped() -> None:
    assert ids("""
        ```python
        LESS-18 in code
        ```
        ~~~~
        INT-09 in tilde fence
        ~~~~
        after DEC-14
        """) == ["DEC-14"]


def test_unclosed_fence_protects_the_rest() -> None:
    assert ids("LESS-18\n```\nINT-09\n") == ["LESS-18"]


def test_inline_code_links_urls_tags_and_headings_are_skipped() -> None:
    text = """
        # Heading LESS-18
        `INT-09` and ``DEC-14 `x` `` in code
        [LESS-18](elsewhere.md) and ![INT-09](img.png) and [ref][INT-09]
        https://example.org/DEC-14 and <https://example.org/LESS-18>
        <span title="INT-09">DEC-14 inside a span counts</span>
        <a href="x">LESS-18 inside an anchor does not</a>
        [INT-09]: https://example.org/definition
        """
    assert ids(text) == ["DEC-14"]


def test_link_replaces_only_resolvable_prose_mentions() -> None:
    def resolve(ref_id: str) -> LinkTarget | None:
        if ref_id == "LESS-18":
            return LinkTarget("LESS-18.md", 'Singleton "Lifecycle"')
        if ref_id == "DEC-14":
            return LinkTarget("DEC-14.md", "Lazy Loading", planned=True)
        return None

    out = SCANNER.link("LESS-18, `LESS-18`, DEC-14 and INT-09.", resolve)
    assert out == (
        '[LESS-18](LESS-18.md "Singleton &quot;Lifecycle&quot;"){ .sima-ref data-ref="LESS-18" }'
        ", `LESS-18`, "
        '[DEC-14](DEC-14.md "Lazy Loading"){ .sima-ref .sima-planned data-ref="DEC-14" }'
        " and INT-09."
    )


def test_sentence_is_cut_at_sentence_boundaries_and_markup_removed() -> None:
    text = "- First one. The second names **LESS-18** clearly! Third.\n"
    assert SCANNER.mentions(text)[0].sentence == "The second names **LESS-18** clearly!"


def test_long_sentence_is_shortened() -> None:
    text = "LESS-18 " + "word " * 100
    sentence = SCANNER.mentions(text)[0].sentence
    assert sentence.endswith(" …")
    assert len(sentence) <= 242


def test_a_sentence_shortened_inside_a_link_drops_the_link_not_its_brackets() -> None:
    text = "LESS-18 " + "word " * 40 + "then the ([Lambda guide](https://example.org/x) page."
    sentence = SCANNER.mentions(text)[0].sentence
    assert sentence == "LESS-18 " + "word " * 39 + "word then the …"
    whole = "LESS-18 " + "word " * 30 + "see [the guide](g.md) " + "more " * 20
    assert "[the guide](g.md)" in SCANNER.mentions(whole)[0].sentence


def test_backlinks_first_sentence_and_front_matter() -> None:
    docs = [
        ("LESS-22", "Uses LESS-18. Again LESS-18.", ["INT-09"], "DEC-14"),
        ("INT-09", "Builds on LESS-18 and itself, INT-09.", [], None),
        ("DEC-14", "Nothing.", ["LESS-22"], None),
    ]
    back = collect_backlinks(docs, SCANNER)
    assert back["LESS-18"] == [
        Backlink("INT-09", "Builds on LESS-18 and itself, INT-09.", "mention"),
        Backlink("LESS-22", "Uses LESS-18.", "mention"),
    ]
    assert back["INT-09"] == [Backlink("LESS-22", None, "related")]
    assert back["DEC-14"] == [Backlink("LESS-22", None, "next")]
    assert back["LESS-22"] == [Backlink("DEC-14", None, "related")]


def test_mislabelled_list_items() -> None:
    titles = {"LESS-17": "Threading Locks Are Unnecessary", "INT-09": "Singleton Interface"}
    text = "- **LESS-17**: Performance optimization\n- INT-09 — singleton interface\n"
    assert mislabelled(text, titles) == [
        (1, "LESS-17", "Performance optimization", "Threading Locks Are Unnecessary")
    ]
