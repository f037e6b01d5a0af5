"""Helpers shared by the replay tests (fixtures are in replay/conftest.py)."""


def post_replay(client, site, command="", *, htmx=False, **fields):
    """POST the replay form in paste mode (override any field with keyword arguments)."""
    data = {"site": site.pk, "mode": "paste", "method": "POST", "command_text": command}
    data.update({k: v for k, v in fields.items() if v is not None})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post("/replay/", data, **headers)
