"""Showing an answer's body: XML indented for reading, by a small tokenizer (no XML parser, so nothing in a
remote answer is ever resolved or expanded: no entities, no DTDs, no external references)."""

import re

_TOKEN = re.compile(
    r"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)|<![^>]*>|</[^>]*>|<[^>]*/>|<[^>]*>|[^<]+|<",
    re.S,
)
MAX_PRETTY_CHARS = 1024 * 1024


def looks_like_xml(text, content_type=""):
    head = (text or "").lstrip()[:200].lower()
    return "xml" in (content_type or "").lower() or head.startswith("<?xml") or head.startswith("<serv:")


def indent_xml(text, step="  "):
    """``text`` with one element per line, indented by depth; an element holding only text stays on one line."""
    tokens = _TOKEN.findall(text)
    lines, depth, i = [], 0, 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("</"):
            depth = max(depth - 1, 0)
            lines.append(step * depth + token)
        elif token.startswith(("<?", "<!")) or (token.startswith("<") and token.endswith("/>")) or token == "<":  # noqa: S105 - an XML token, not a password
            lines.append(step * depth + token.strip())
        elif token.startswith("<"):
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            after = tokens[i + 2] if i + 2 < len(tokens) else ""
            if nxt and not nxt.startswith("<") and after.startswith("</"):
                lines.append(step * depth + token + nxt.strip() + after)
                i += 3
                continue
            if nxt.startswith("</"):
                lines.append(step * depth + token + nxt)
                i += 2
                continue
            lines.append(step * depth + token)
            depth += 1
        else:
            stripped = token.strip()
            if stripped:
                lines.append(step * depth + stripped)
        i += 1
    return "\n".join(lines)


def pretty_body(text, content_type=""):
    """(text to show, whether it was re-indented)."""
    text = text or ""
    if len(text) <= MAX_PRETTY_CHARS and looks_like_xml(text, content_type):
        return indent_xml(text), True
    return text, False
