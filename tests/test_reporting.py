"""LaTeX escaping of report tables."""

import re

import pytest

from boundlab.reporting import _tex

SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def test_a_backslash_becomes_textbackslash_with_its_braces_unescaped():
    assert _tex("a\\b") == r"a\textbackslash{}b"


@pytest.mark.parametrize("char,command", sorted(SPECIALS.items()))
def test_every_latex_special_character_becomes_its_text_command(char, command):
    assert _tex(f"x{char}y") == f"x{command}y"


def test_escaping_is_one_pass_so_every_special_is_escaped_exactly_once():
    text = "".join(SPECIALS)
    escaped = _tex(text)
    assert escaped == "".join(SPECIALS.values())
    # every remaining special character is part of a command: strip the commands, nothing special is left
    bare = re.sub(r"\\(text[a-z]+\{\}|[&%$#_{}])", "", escaped)
    assert bare == ""


def test_plain_text_and_non_strings_pass_through_unchanged():
    assert _tex("thm3.1 pass 0.25") == "thm3.1 pass 0.25"
    assert _tex(0.5) == "0.5" and _tex(True) == "True"
