"""What one entry may hold: the one home of its caps and of the characters its text may use.

``load_kb``'s validation (kb/fixtures/validate.py, which the editor saves through), the admin (kb/admin.py,
kb/forms.py) and the editor's page (kb/editing/) all read these. An entry over a cap is refused with a message
naming the field; nothing is ever cut to fit.
"""

import unicodedata

MAX_ALIASES = 40
MAX_CAUSES = 20
MAX_STEPS = 60  # of one cause
MAX_TEXT = 20000  # characters of one long text: the source, a cause's meaning or "when seen", a step

# The editor's page posts about half this many fields for an entry at every cap (the entry's own fields, each
# alias and its note, each cause's fields and steps): Django's DATA_UPLOAD_MAX_NUMBER_FIELDS is raised to it for
# the editor's views only, with room for a form somewhat over a cap to come back with its message, not a bare 400.
EDITOR_FORM_FIELDS = 2 * (20 + 2 * MAX_ALIASES + MAX_CAUSES * (8 + MAX_STEPS))

ALLOWED_CONTROLS = frozenset("\t\n")
# Bidirectional embeddings, overrides and isolates: they reorder what a reader sees (and a terminal shows).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_character(text):
    """The first control character in ``text`` that entry text may not hold (tab and newline may stand), as
    ``(position, character)``, or None."""
    for position, char in enumerate(text):
        if char in ALLOWED_CONTROLS:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            return position, char
    return None


def control_character_problem(text):
    """Why ``text`` cannot be entry text, or None: "holds a control character (U+001B) at character 5; …"."""
    if not isinstance(text, str):
        return None
    found = control_character(text)
    if found is None:
        return None
    position, char = found
    return (
        f"holds a control character (U+{ord(char):04X}) at character {position + 1}; "
        "only tab and newline may stand in entry text"
    )


def count_problem(what, count, cap):
    """The message for a list over its cap ("has 45 aliases; the limit is 40"), or None."""
    if count > cap:
        return f"has {count} {what}; the limit is {cap}"
    return None
