"""What a replay record keeps of an answer besides its reading: the whole body and the headers, redacted first.

The guard (replay.outbound) already cut the body at 1 MiB; here every secret the replay sent, and every secret a
pattern recognises (``PW=…``, ``<password>…``), is replaced by ••• before anything else is done with the text.
Cookie values are never kept: ``Set-Cookie: WBXSESSION=•••; Path=/``.
"""

from webex.redaction import MASK, redact_text

MAX_HEADERS = 100


def kept_body(body, secrets) -> str:
    return redact_text(body, secrets)


def kept_headers(headers, secrets) -> list:
    """[[name, value], …] of an answer's headers (httpx.Headers, a mapping or pairs), redacted."""
    items = (
        headers.multi_items() if hasattr(headers, "multi_items") else list(getattr(headers, "items", lambda: headers)())
    )
    pairs = []
    for name, value in items[:MAX_HEADERS]:
        if name.lower() in ("set-cookie", "set-cookie2"):
            cookie, _sep, attributes = value.partition(";")
            value = f"{cookie.partition('=')[0].strip()}={MASK}" + (f";{attributes}" if attributes else "")
        pairs.append([name[:100], redact_text(value, secrets)[:2000]])
    return pairs
