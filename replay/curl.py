"""Copy as curl: a shell command that repeats a recorded replay, with every secret left as a variable."""

import re
import shlex

from kb.redaction import MASK, SECRET_XML_ELEMENTS, is_secret_name, placeholder


def _curl_param(name, value):
    if is_secret_name(name):
        return f'--data-urlencode "{name}={placeholder(name)}"'
    return "--data-urlencode " + shlex.quote(f"{name}={value}")


def curl_command(record):
    """A shell command that repeats the replay, with every secret left as a $WEBEX_PW-style variable."""
    if not record.target or not record.command:
        return ""
    lines = []
    url = record.target
    if record.api == "xml":
        body = record.request_xml.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
        mask = re.escape(MASK)
        for name in SECRET_XML_ELEMENTS:
            body = re.sub(
                rf"(<(?:[A-Za-z_][\w.-]{{0,40}}:)?{name}(?:\s[^<>]{{0,200}})?>){mask}",
                lambda m, n=name: m.group(1) + placeholder(n),
                body,
                flags=re.IGNORECASE,
            )
        lines.append(
            f"curl -sS -i {shlex.quote(url)} -H 'Content-Type: text/xml; charset=UTF-8' --data-binary @- <<EOF"
        )
        lines.append(body)
        lines.append("EOF")
        return "\n".join(lines)
    jar = ""
    if record.login_first:
        base = url.rsplit("/", 1)[0] + "/p.php"
        login = [
            f"curl -sS -i -c webex-cookies.txt {shlex.quote(base)}",
            "--data-urlencode 'AT=LI'",
            "--data-urlencode " + shlex.quote(f"WID={record.login_wid}"),
            '--data-urlencode "PW=$WEBEX_LOGIN_PW"',
        ]
        lines.append(" \\\n  ".join(login))
        jar = " -b webex-cookies.txt"
    parts = [f"curl -sS -i{jar}{' -G' if record.method == 'GET' else ''} {shlex.quote(url)}"]
    parts += [_curl_param(str(name), str(value)) for name, value in record.parameters]
    lines.append(" \\\n  ".join(parts))
    return "\n".join(lines)
