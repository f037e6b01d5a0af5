"""WebEx text as it arrives: bytes in any charset, JavaScript and XML escapes, HTML around an answer, and the short,
redacted, one-line previews shown of it.

Pure Python, standard library only (and webex.redaction, which takes the secrets out of every preview).
"""

from __future__ import annotations

import codecs
import re

from webex.redaction import redact_text

__all__ = [
    "CONTROL",
    "MAX_PARSE_CHARS",
    "MAX_VALUE",
    "PREVIEW_CHARS",
    "clean",
    "js_unescape",
    "looks_binary",
    "make_preview",
    "one_line",
    "shown_safely",
    "to_text",
    "xml_unescape",
]

# How much of a body is looked at. Real answers are a few hundred bytes; a replay caps bodies at 1 MiB.
MAX_PARSE_CHARS = 1_048_576
MAX_DETECT_CHARS = 100_000
PREVIEW_CHARS = 200
MAX_VALUE = 4096  # the longest parameter or element value kept


# --------------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------------

_JS_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|[0-7]{1,3}|.)", re.DOTALL)
_JS_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# What a terminal or a pasted ticket would act on instead of showing: every C0 control but tab and line feed (ESC
# starts OSC 52 clipboard writes, window titles, clear screen; CR rewrites a line), DEL, the C1 controls (CSI, OSC as
# single bytes), zero-width and bidirectional marks and overrides (U+202A-U+202E, U+2066-U+2069), line and paragraph
# separators, and the byte order mark.
_UNSHOWABLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)


def shown_safely(text) -> str:
    """``text`` with every character a terminal would act on written visibly as ``\\uXXXX`` (ESC as ``\\u001b``):
    what a command line prints of text it did not write (a site's answer, an editor's entry). Tab and line feed
    stay. Inside a JSON string the visible form reads back as the same character."""
    return _UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", str(text))


def clean(text: str) -> str:
    """Make a str safe to encode: lone surrogates become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def js_unescape(text: str) -> str:
    def repl(m):
        s = m.group(1)
        try:
            if s[0] == "x" and len(s) == 3:
                return chr(int(s[1:], 16))
            if s.startswith("u{"):
                cp = int(s[2:-1], 16)
                return chr(cp) if cp <= 0x10FFFF else "\ufffd"
            if s[0] == "u" and len(s) == 5:
                return chr(int(s[1:], 16))
            if s.isdigit():
                return chr(int(s, 8)) if s != "0" else "\0"
        except ValueError:
            return "\ufffd"
        return _JS_SIMPLE.get(s, s)

    return clean(_JS_ESCAPE.sub(repl, text))


_XML_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|amp|lt|gt|quot|apos);")


def xml_unescape(text: str) -> str:
    """Decode the five predefined entities and numeric references; anything else stays literal."""

    def repl(m):
        ref = m.group(0)[1:-1]
        named = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
        if ref in named:
            return named[ref]
        try:
            cp = int(ref[2:], 16) if ref[1:2] in ("x", "X") else int(ref[1:])
            return chr(cp) if 0 < cp <= 0x10FFFF else "\ufffd"
        except ValueError:
            return "\ufffd"

    return clean(_XML_REF.sub(repl, text))


def decode(body: bytes, content_type: str | None = None) -> str:
    body = body[: MAX_PARSE_CHARS * 4]
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return clean(body[len(bom) :].decode(enc, "replace"))
    charset = None
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", str(content_type), re.IGNORECASE)
        if m:
            try:
                charset = codecs.lookup(m.group(1)).name
            except LookupError:
                charset = None
    candidates = [c for c in (charset, "utf-8") if c]
    for enc in candidates:
        try:
            return clean(body.decode(enc))
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    try:
        return clean(body.decode("cp1252", "replace"))
    except Exception:  # pragma: no cover
        return body.decode("latin-1")


def to_text(body, content_type=None) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes | bytearray | memoryview):
        return decode(bytes(body), content_type)[:MAX_PARSE_CHARS]
    if not isinstance(body, str):
        try:
            body = str(body)
        except Exception:
            return ""
    return clean(body[:MAX_PARSE_CHARS])


def looks_binary(text: str) -> bool:
    sample = text[:2000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\r\n\t"))
    return bad > max(3, len(sample) // 20)


def strip_html(text: str) -> str:
    """Text of an HTML page, roughly: drop script/style blocks and tags. Linear time."""
    out = []
    pos = 0
    lower = text.lower()
    while True:
        starts = [i for i in (lower.find("<script", pos), lower.find("<style", pos)) if i != -1]
        if not starts:
            out.append(text[pos:])
            break
        start = min(starts)
        out.append(text[pos:start])
        closer = "</script" if lower.startswith("<script", start) else "</style"
        end = lower.find(closer, start)
        if end == -1:
            break
        gt = lower.find(">", end)
        pos = len(text) if gt == -1 else gt + 1
    stripped = re.sub(r"<[^<>]{0,2000}>", " ", "".join(out))
    return xml_unescape(stripped)


def looks_html(text: str) -> bool:
    """The start of ``text`` is an HTML page (tags of a page, and no XML document or WebEx answer)."""
    head = text[:4096]
    return bool(re.search(r"<(?:html|body|head|div|p|script|title)\b", head, re.IGNORECASE)) and not re.search(
        r"<\?xml|<[A-Za-z_][\w.-]{0,40}:message\b|<ListOpenMeetings\b", head, re.IGNORECASE
    )


def make_preview(text, limit: int = PREVIEW_CHARS) -> str:
    """A short, one-line, redacted preview of a body, safe to show once HTML-escaped."""
    text = to_text(text)
    if not text.strip():
        return ""
    if looks_binary(text):
        return f"(binary data, {len(text)} characters)"
    window = text[: max(limit * 20, 4096)]
    if looks_html(window):
        # Redact first: secrets may sit inside script blocks that are dropped anyway, but be safe.
        stripped = strip_html(redact_text(window))
        if stripped.strip():
            window = stripped
    window = redact_text(window)
    window = CONTROL.sub(" ", window)
    window = re.sub(r"\s+", " ", window).strip()
    if len(window) > limit:
        window = window[: limit - 1].rstrip() + "\u2026"
    return redact_text(window)


def one_line(text: str, limit: int = 500) -> str:
    """``text`` redacted, control characters and runs of white space made one space, cut at ``limit``."""
    text = redact_text(text)
    text = CONTROL.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return redact_text(text)
