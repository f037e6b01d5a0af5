"""Copy as curl: a shell command that repeats a recorded replay, with every secret left as a variable.

Safe by construction, for a person who pastes it into bash or zsh:

* every argument is quoted: plain words as they are, printable text in single quotes (:func:`shlex.quote`), and
  anything holding a control character (newline, tab, escape, ^C, bidi marks) as ``$'…'`` with those characters
  written as ``\\n``, ``\\t`` or ``\\xHH`` escapes. So the only line breaks in the command are its own `` \\``
  continuations, and no byte of a record can act in a terminal or reach the shell as syntax;
* the only expansions are the ``"$WEBEX_PW"``-style variables that stand for secrets, each in double quotes;
* the XML body is one argument of ``--data-raw`` (never a heredoc; ``--data-raw`` never reads a file for ``@``);
  a form parameter is one ``--data-urlencode`` argument whose name is percent-encoded here, so curl sends exactly
  ``name=value`` as the replay did;
* the URL is given with ``--url`` and ``-g`` (no globbing of ``[``, ``]``, ``{``, ``}``), an IPv6 host in brackets.

``replay/tests/test_curl_shell.py`` pastes hostile records into bash with curl stubbed and checks the bytes.
"""

import re
import shlex
from urllib.parse import quote_plus

from webex.redaction import MASK, SECRET_XML_ELEMENTS, is_secret_name, placeholder

_PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_ESCAPED = {"\\": "\\\\", "'": "\\'", "!": "\\x21", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
CONTINUATION = " \\\n  "


def sh_quote(text):
    """One shell word that is exactly ``text``, made of printable characters only."""
    text = str(text).replace("\x00", "\ufffd")  # an argument cannot hold NUL; records never do
    if _PLAIN.fullmatch(text):
        return text
    if text.isprintable():
        return shlex.quote(text)
    out = []
    for ch in text:
        if ch in _ESCAPED:
            out.append(_ESCAPED[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append("".join(f"\\x{byte:02x}" for byte in ch.encode("utf-8")))
    return "$'" + "".join(out) + "'"


def _variable(name):
    """``"$WEBEX_PW"`` for a secret's name: the only expansion a copied command makes."""
    return f'"{placeholder(name)}"'


def _form_field(name, value_word):
    """A ``--data-urlencode`` argument: the name percent-encoded here (curl encodes only the value)."""
    return "--data-urlencode " + sh_quote(quote_plus(str(name), safe="") + "=") + value_word


def _param(name, value):
    if is_secret_name(name):
        return _form_field(name, _variable(name))
    return _form_field(name, sh_quote(value) if value != "" else "")


def _url(target):
    """The record's target, with an IPv6 host in brackets (records stored before targets had them)."""
    match = re.fullmatch(
        r"(?P<scheme>https?)://(?P<host>[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*):(?P<port>\d+)(?P<path>/.*)?", target
    )
    if match and "[" not in target:
        return f"{match['scheme']}://[{match['host']}]:{match['port']}{match['path'] or '/'}"
    return target


def _xml_body(xml):
    """The XML body as one shell word: quoted text, with each secret element's ••• as its variable."""
    mask = re.escape(MASK)
    names = "|".join(SECRET_XML_ELEMENTS)
    pattern = re.compile(rf"(<(?:[A-Za-z_][\w.-]{{0,40}}:)?({names})(?:\s[^<>]{{0,200}})?>){mask}", re.IGNORECASE)
    words, pos = [], 0
    for match in pattern.finditer(xml):
        words.append(sh_quote(xml[pos : match.end(1)]))
        words.append(_variable(match.group(2)))
        pos = match.end()
    if pos < len(xml) or not words:
        words.append(sh_quote(xml[pos:]))
    return "".join(words)


def curl_command(record):
    """A shell command that repeats the replay, with every secret left as a $WEBEX_PW-style variable."""
    if not record.target or not record.command:
        return ""
    url = _url(record.target)
    if record.api == "xml":
        parts = [
            f"curl -sS -i -g --url {sh_quote(url)}",
            "-H " + sh_quote("Content-Type: text/xml; charset=UTF-8"),
            "--data-raw " + _xml_body(record.request_xml or ""),
        ]
        return CONTINUATION.join(parts)
    lines = []
    jar = ""
    if record.login_first:
        base = url.rsplit("/", 1)[0] + "/p.php"
        login = [
            f"curl -sS -i -g -c webex-cookies.txt --url {sh_quote(base)}",
            _param("AT", "LI"),
            _param("WID", record.login_wid),
            _form_field("PW", '"$WEBEX_LOGIN_PW"'),
        ]
        lines.append(CONTINUATION.join(login))
        jar = " -b webex-cookies.txt"
    parts = [f"curl -sS -i -g{jar}{' -G' if record.method == 'GET' else ''} --url {sh_quote(url)}"]
    parts += [_param(str(name), str(value)) for name, value in record.parameters or []]
    lines.append(CONTINUATION.join(parts))
    return "\n".join(lines)
