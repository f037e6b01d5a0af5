"""Rendering a page or its htmx fragment: the one helper every view uses, with its one predicate.

A page template extends ``base.html`` and names two partials (django-template-partials, ``{% partialdef … inline %}``):
``title`` (inside its title block) and ``fragment`` (the part htmx swaps; often the whole content). A normal request
gets the whole page; an htmx request gets ``template#fragment`` after a ``<title>`` made of ``template#title``, which
htmx moves into the document head. A history-restore request (htmx lost its cached copy) gets the whole page. The
answer always varies on ``HX-Request``, so no cache ever serves a fragment for a page or a page for a fragment.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html

SITE_TITLE = "WebEx API KB"  # after every page's own title (base.html writes it too)


def wants_fragment(request) -> bool:
    """The one predicate for "fragment or page": an htmx request, unless it restores history (then the page)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request


def vary_on_htmx(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def push_url(response, url):
    """Ask htmx to put ``url`` in the address bar and history for this answer (``HX-Push-Url``)."""
    response["HX-Push-Url"] = url
    return response


def render_fragment(request, template, context=None) -> str:
    """The page's ``fragment`` partial, after a ``<title>`` made of its ``title`` partial."""
    title = render_to_string(f"{template}#title", context, request).strip()
    body = render_to_string(f"{template}#fragment", context, request)
    return format_html("<title>{} · {}</title>\n", title, SITE_TITLE) + body


def render_page(request, template, context=None, *, status=200):
    """The page, or for htmx its fragment, with ``Vary: HX-Request``."""
    if wants_fragment(request):
        return vary_on_htmx(HttpResponse(render_fragment(request, template, context), status=status))
    return vary_on_htmx(render(request, template, context, status=status))


def render_partial(request, name, context=None, *, status=200):
    """A piece that is never a page (``replay/_suggested.html``, or one named partial, ``template#name``), for an
    htmx request or a page's script, with ``Vary: HX-Request``."""
    return vary_on_htmx(HttpResponse(render_to_string(name, context, request), status=status))
