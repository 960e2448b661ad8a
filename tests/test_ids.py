"""The REF-ID grammar: configured prefixes, several dashes, IDs without numbers."""

from __future__ import annotations

import re

import pytest

from sima.content.ids import compile_id_pattern, is_valid_id, prefix_of

PATTERN = compile_id_pattern(["LESS", "INT", "LANG", "ARCH", "AP", "APX"])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("see LESS-22 now", ["LESS-22"]),
        ("LANG-PY-01 has two dashes", ["LANG-PY-01"]),
        ("ARCH-SUGA has no number", ["ARCH-SUGA"]),
        ("(INT-09), LESS-22. LESS-18's", ["INT-09", "LESS-22", "LESS-18"]),
        ("APX-1 and AP-2 share a start", ["APX-1", "AP-2"]),
        ("XLESS-22 is another word", []),
        ("LESS-22-style is a longer token", []),
        ("path/LESS-22 and #LESS-22 are not prose", []),
        ("less-22 is not upper case", []),
        ("FOO-12 has an unknown prefix", []),
        ("LESS- alone is nothing", []),
    ],
)
def test_id_pattern_finds_whole_ids_only(text: str, found: list[str]) -> None:
    assert PATTERN.findall(text) == found


def test_prefix_is_first_segment() -> None:
    assert prefix_of("LANG-PY-01") == "LANG"
    assert prefix_of("LESS-22") == "LESS"


@pytest.mark.parametrize(
    ("ref_id", "valid"),
    [
        ("LESS-22", True),
        ("ARCH-SUGA", True),
        ("FOO-1", False),
        ("LESS22", False),
        ("LESS-", False),
        ("less-22", False),
    ],
)
def test_is_valid_id(ref_id: str, valid: bool) -> None:
    assert is_valid_id(ref_id, ["LESS", "ARCH"]) is valid


def test_no_prefixes_matches_nothing() -> None:
    assert compile_id_pattern([]).findall("LESS-22") == []
    assert isinstance(compile_id_pattern([]), re.Pattern)


LEGACY = compile_id_pattern(["AWS", "SPEC", "DT", "LESS"])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("AWS-LAMBDA-01 has letters and digits", ["AWS-LAMBDA-01"]),
        ("SPEC-NAMING is all letters", ["SPEC-NAMING"]),
        ("(SPEC-NAMING), DT-01; AWS-LAMBDA-01.", ["SPEC-NAMING", "DT-01", "AWS-LAMBDA-01"]),
        ("AWS-LAMBDA-01-draft and AWS-Lambda are not IDs", []),
        ("see specs/SPEC-NAMING.md", []),
    ],
)
def test_ids_of_letters_and_several_parts(text: str, found: list[str]) -> None:
    assert LEGACY.findall(text) == found
    assert all(prefix_of(ref) in {"AWS", "SPEC", "DT"} for ref in found)
    assert all(is_valid_id(ref, ["AWS", "SPEC", "DT"]) for ref in found)
