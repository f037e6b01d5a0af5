"""Helpers shared by the editing tests: users in each role and who may see the editors' pages, what the editor page
posts for an entry, and an entry's revisions. The fixtures built on them are in kb/tests/editing/fixtures.py.

The role groups ("Help desk", "KB editors", "Admins") are created by every migrate, the test database's too."""

from django.contrib.auth.models import Group, User

from kb.editing import history
from kb.models import Entry

ROLES = ["anonymous", "help-desk", "kb-editor", "admin"]
GROUPS = {"help-desk": "Help desk", "kb-editor": "KB editors", "admin": "Admins"}
URL = "/errors/AlreadyLogon/edit/"


def make_user(name, role):
    user = User.objects.create_user(name, password="pw-for-tests-1")
    user.groups.add(Group.objects.get(name=GROUPS[role]))
    if role != "help-desk":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def as_role(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


def expect_access(response, role):
    """Editors' pages: anonymous to the log-in page, help desk 403, KB editors and admins in."""
    if role == "anonymous":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/")
    elif role == "help-desk":
        assert response.status_code == 403, response.status_code
    else:
        assert response.status_code in (200, 302), response.status_code


def form_data(client, url=URL, **changes):
    """What the editor posts for the entry as it stands, as a dict of lists, with ``changes`` applied."""
    state = client.get(url).context["state"]
    data = {
        "loaded_version": [str(state.loaded_version)],
        "title": [state.title],
        "summary": [state.summary],
        "api": [state.api],
        "category": [state.category],
        "source": [state.source],
        "confidence": [state.confidence],
        "related": [state.related],
        "review_interval_days": [state.review_interval_days],
        "alias": [a["alias"] for a in state.aliases],
        "alias-note": [a["note"] for a in state.aliases],
        "cause-count": [str(len(state.causes))],
        "note": [""],
    }
    if state.retired:
        data["retired"] = ["on"]
    for i, cause in enumerate(state.causes):
        for name in ("slug", "api", "title", "meaning", "when_seen", "commands", "services"):
            data[f"cause-{i}-{name}"] = [getattr(cause, name)]
        data[f"cause-{i}-step"] = list(cause.steps)
    for key, value in changes.items():
        data[key.replace("__", "-")] = value if isinstance(value, list) else [value]
    return data


def revisions_of(code):
    return history.revisions(Entry.objects.get(code=code))[0]
