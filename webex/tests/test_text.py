"""webex.text.shown_safely: what a command line may print of text it did not write."""

import json

from webex.tests.samples import TERMINAL_ATTACKS, UNSHOWABLE
from webex.text import shown_safely


def test_every_control_is_written_visibly_and_tabs_and_lines_stay():
    shown = shown_safely("line one\tcell\n" + TERMINAL_ATTACKS)
    assert not [ch for ch in UNSHOWABLE if ch in shown]
    assert "\\u001b]52;c;" in shown and "\\u202e" in shown and "\\u009b" in shown and "\\u000d" in shown
    assert shown.startswith("line one\tcell\n")


def test_inside_a_json_string_the_visible_form_reads_back_the_same():
    assert json.loads(f'"{shown_safely(chr(0x202E) + chr(0x1B))}"') == "\u202e\x1b"


def test_ordinary_text_is_left_alone():
    assert shown_safely("Ünïcode · 日本語 ✓ — “quotes”") == "Ünïcode · 日本語 ✓ — “quotes”"
