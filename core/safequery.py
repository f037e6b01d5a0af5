"""No password stays in the address of a page with a GET form: a query that holds a secret shape (``PW=…``,
``<password>…``, ``"accessToken": …``, as webex/redaction.py, the one secret rule, reads them) is answered with a
303 to the same page with every secret replaced by ``•••``.

The browser's address bar and history, htmx's history (which pushes the address it was finally answered from) and
every later link then hold the redacted address only. htmx follows the 303 itself, keeping ``HX-Request``, so a
filter typed into an htmx form gets its fragment from the redacted address. Pages whose forms can hold a secret also
turn off htmx's history snapshots (``hx-history="false"``), so nothing typed is copied into ``sessionStorage``.
"""

import functools
from urllib.parse import urlencode

from django.http import HttpResponseRedirect

from webex.redaction import MASK, is_secret_name, redact_text


def redacted_pairs(querydict):
    """The query's ``(name, value)`` pairs with every secret replaced by ``•••``, and whether any was."""
    pairs, changed = [], False
    for name, values in querydict.lists():
        for value in values:
            clean_name = redact_text(name)  # "?PW%3Dsecret" arrives as a name with an empty value
            clean = MASK if is_secret_name(name) and value else redact_text(value)
            changed = changed or clean != value or clean_name != name
            pairs.append((clean_name, clean))
    return pairs, changed


def secret_free_url(request):
    """The address of ``request`` with its query's secrets redacted, or None when it holds none."""
    if not request.GET:
        return None
    pairs, changed = redacted_pairs(request.GET)
    if not changed:
        return None
    return request.path + "?" + urlencode(pairs)


def no_secret_in_query(view):
    """Wrap a view whose page has a GET form: a GET or HEAD whose query holds a secret goes to its redacted
    address (303) before the view sees it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            target = secret_free_url(request)
            if target is not None:
                response = HttpResponseRedirect(target)
                response.status_code = 303
                response["Cache-Control"] = "no-store"
                return response
        return view(request, *args, **kwargs)

    return wrapper


def filters_redirect(request, fields):
    """A filter form sent by POST (so that what was typed never travels in a URL): 303 to the page's GET address
    with the ``fields`` that hold a value, every secret redacted. htmx follows it and pushes that address."""
    pairs, _changed = redacted_pairs(request.POST)
    query = urlencode([(name, value) for name, value in pairs if name in fields and value.strip()])
    response = HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
    response.status_code = 303
    response["Cache-Control"] = "no-store"
    return response
