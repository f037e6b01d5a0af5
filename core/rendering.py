"""Rendering a page or its htmx fragment: the one helper every view uses.

A page template extends ``base_template``. For a normal request that is ``base.html`` (the whole page); for an
htmx request it is ``_fragment.html``, which renders only the page's ``fragment`` block (by default its whole
``content`` block) and its ``<title>``, which htmx moves into the document head. A history-restore request (htmx
lost its cached copy) gets the whole page. The answer always varies on ``HX-Request``, so no cache ever serves a
fragment for a page or a page for a fragment.
"""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

PAGE_BASE = "base.html"
FRAGMENT_BASE = "_fragment.html"


def wants_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def page_context(request, context=None) -> dict:
    """``context`` with the base template this request gets."""
    return {**(context or {}), "base_template": FRAGMENT_BASE if wants_fragment(request) else PAGE_BASE}


def vary_on_htmx(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_page(request, template, context=None, *, status=200):
    """The page, or for htmx its fragment, with ``Vary: HX-Request``."""
    return vary_on_htmx(render(request, template, page_context(request, context), status=status))


def render_page_to_string(request, template, context=None) -> str:
    return render_to_string(template, page_context(request, context), request)
