"""What an error code (and an alias) may look like: the one home of the rule.

A code is letters, digits, ``.``, ``-`` and ``_`` (``AccessDenied``, ``030002``): it is a URL segment
(``/errors/<code>/``), so a ``/``, a space or a control character in one would break links. An alias is another
spelling or name, so it may also hold single spaces between words (``Access Denied``).

The model fields (so the admin), ``load_kb`` (kb/loader.py) and any editor page use :func:`validate_code` and
:func:`validate_alias`; ``manage.py check`` reports stored rows that break them (kb/checks.py); and
:func:`entry_path` builds an entry's URL so that one bad stored row can never fail a page.
"""

import logging
import re
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

CODE_PATTERN = r"[A-Za-z0-9._-]+"
ALIAS_PATTERN = rf"{CODE_PATTERN}(?: {CODE_PATTERN})*"
CODE_RE = re.compile(rf"^{CODE_PATTERN}\Z")
ALIAS_RE = re.compile(rf"^{ALIAS_PATTERN}\Z")
CODE_RULE = "letters, digits, '.', '-' and '_' only (no spaces, '/' or other characters)"
ALIAS_RULE = "letters, digits, '.', '-' and '_', and single spaces between words"

logger = logging.getLogger(__name__)


def code_problem(value):
    """Why ``value`` is not a valid code, or None."""
    if not isinstance(value, str) or not CODE_RE.match(value):
        return f"{value!r} is not a valid code: use {CODE_RULE}"
    return None


def alias_problem(value):
    if not isinstance(value, str) or not ALIAS_RE.match(value):
        return f"{value!r} is not a valid alias: use {ALIAS_RULE}"
    return None


def validate_code(value):
    problem = code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_code")


def validate_alias(value):
    problem = alias_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_alias")


def entry_path(code, url_name="kb:entry-detail"):
    """The path of an entry's page (or its JSON, ``kb:api-entry-detail``). A stored code that breaks the rule
    (saved before it existed, or by a bulk update) gets a search link for it instead of failing the page."""
    if CODE_RE.match(code or ""):
        try:
            return reverse(url_name, args=[code])
        except NoReverseMatch:
            pass
    logger.warning("entry code %r is not valid (manage.py check lists such codes); linking to a search", code)
    search = "kb:api-search" if url_name.startswith("kb:api") else "kb:search"
    return f"{reverse(search)}?{urlencode({'q': code or ''})}"
