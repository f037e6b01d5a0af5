"""What an error code (and an alias) may look like: the one home of the rule.

A code is letters, digits, ``.``, ``-`` and ``_`` (``AccessDenied``, ``030002``), with at least one letter or digit:
it is a URL segment (``/errors/<code>/``), so a ``/``, a space or a control character in one would break links, and
a browser rewrites the dot segments ``.`` and ``..`` (``/errors/../`` is ``/``); ``-`` is the editors' pickers'.
An alias is another spelling or name, so it may also hold single spaces between words (``Access Denied``).

The model fields (so the admin), ``load_kb`` (kb/fixtures/) and any editor page use :func:`validate_code` and
:func:`validate_alias`; ``manage.py check`` reports stored rows that break them (kb/checks.py); and the URL
converter ``<code:code>`` (:class:`CodeConverter`) percent-encodes a code when a URL is built, so one bad stored row
(``a/b``) still gets a working link and never fails a page.
"""

import logging
import re
from urllib.parse import quote, unquote, urlencode

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

CODE_PATTERN = r"[A-Za-z0-9._-]+"
ALIAS_PATTERN = rf"{CODE_PATTERN}(?: {CODE_PATTERN})*"
CODE_RE = re.compile(rf"^{CODE_PATTERN}\Z")
ALIAS_RE = re.compile(rf"^{ALIAS_PATTERN}\Z")
CODE_RULE = "letters, digits, '.', '-' and '_' only (no spaces, '/' or other characters), with a letter or digit"
ALIAS_RULE = "letters, digits, '.', '-' and '_', and single spaces between words, with a letter or digit"
_LETTER_OR_DIGIT = re.compile(r"[A-Za-z0-9]")

logger = logging.getLogger(__name__)


def code_problem(value):
    """Why ``value`` is not a valid code, or None."""
    if not isinstance(value, str) or not CODE_RE.match(value) or not _LETTER_OR_DIGIT.search(value):
        return f"{value!r} is not a valid code: use {CODE_RULE}"
    return None


def alias_problem(value):
    if not isinstance(value, str) or not ALIAS_RE.match(value) or not _LETTER_OR_DIGIT.search(value):
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


class CodeConverter:
    """``<code:code>`` in kb/urls.py: one path segment, percent-encoded when a URL is built and decoded when one is
    read. A valid code is unchanged (its characters need no encoding); a stored code that breaks the rule
    (``a/b``, saved before the rule or by a bulk update) becomes ``a%2Fb`` and still round-trips."""

    regex = "[^/]+"

    def to_python(self, value):
        return unquote(value)

    def to_url(self, value):
        return quote(str(value), safe="")


_PLACEHOLDER = "0code0"
_path_templates: dict = {}  # (url name, script prefix, URLconf) -> the path reversed for _PLACEHOLDER


def entry_path(code, url_name="kb:entry-detail"):
    """The path of an entry's page (or its JSON, ``kb:api-entry-detail``) for any stored code; an empty one, which
    no URL can carry, gets a search link instead of failing the page.

    A valid code needs no encoding, so its path is the URL pattern's, reversed once (a search page links 20 entries)."""
    if CODE_RE.match(code or ""):
        key = (url_name, get_script_prefix(), get_urlconf())
        template = _path_templates.get(key)
        if template is None:
            template = _path_templates[key] = reverse(url_name, args=[_PLACEHOLDER])
        return template.replace(_PLACEHOLDER, code, 1)
    logger.warning("entry code %r breaks the code rule (manage.py check lists such codes)", code)
    try:
        return reverse(url_name, args=[code])
    except NoReverseMatch:
        search = "kb:api-search" if url_name.startswith("kb:api") else "kb:search"
        return f"{reverse(search)}?{urlencode({'q': code or ''})}"
