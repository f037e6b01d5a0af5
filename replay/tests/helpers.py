"""Helpers shared by the replay tests (fixtures are in replay/conftest.py)."""

import io

from django.core.management import call_command


def run_replay_command(*args):
    """``manage.py replay *args`` -> (exit code, stdout); a command that returns normally exits 0."""
    out = io.StringIO()
    code = 0
    try:
        call_command("replay", *args, stdout=out)
    except SystemExit as exit_info:
        code = exit_info.code
    return code, out.getvalue()


def post_replay(client, site, command="", *, htmx=False, **fields):
    """POST the replay form in paste mode (override any field with keyword arguments)."""
    data = {"site": site.pk, "mode": "paste", "method": "POST", "command_text": command}
    data.update({k: v for k, v in fields.items() if v is not None})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post("/replay/", data, **headers)
