"""The roles of a help desk deployment, as Django groups with exactly the permissions each needs.

- anonymous readers: read the KB, search and use the wizard (unless KB_REQUIRE_LOGIN=1); no group needed;
- "Help desk": also replay commands and see replay history;
- "KB editors": also edit entries and flows in the admin (they are staff);
- "Admins": also manage WebEx sites and users (they are staff).

``ensure_roles`` runs after every ``migrate`` (kb/apps.py connects it) and is idempotent: it adds missing
permissions and never removes permissions an administrator granted by hand. Other apps' permissions are named by
their labels only ("replay", "can_replay"): kb imports no other app of this project.
"""

from django.contrib.auth.models import Group, Permission

HELP_DESK = "Help desk"
KB_EDITORS = "KB editors"
ADMINS = "Admins"

CRUD = ("add", "change", "delete", "view")
KB_CONTENT = ("entry", "alias", "cause", "step", "command", "service")
FLOW_CONTENT = ("flow", "node", "choice")

ROLE_PERMISSIONS = {
    HELP_DESK: [
        ("replay", "can_replay"),
        ("replay", "view_replayrecord"),
        ("replay", "view_site"),
        ("kb", "use_triage"),
    ],
    KB_EDITORS: [
        *[("kb", f"{action}_{model}") for model in KB_CONTENT for action in CRUD],
        ("kb", "view_suggestion"),
        ("kb", "delete_suggestion"),
        *[("troubleshooter", f"{action}_{model}") for model in FLOW_CONTENT for action in CRUD],
    ],
}
ROLE_PERMISSIONS[ADMINS] = [
    *ROLE_PERMISSIONS[HELP_DESK],
    *ROLE_PERMISSIONS[KB_EDITORS],
    *[("replay", f"{action}_site") for action in CRUD],
    # Users, not groups: editing a group could put any permission in it (core/admin.py also forbids it).
    *[("auth", f"{action}_user") for action in CRUD],
    ("auth", "view_group"),
]
STAFF_ROLES = {KB_EDITORS, ADMINS}
ROLE_NAMES = {"help-desk": HELP_DESK, "kb-editor": KB_EDITORS, "admin": ADMINS}


def ensure_roles(**kwargs):
    wanted = {codename for perms in ROLE_PERMISSIONS.values() for _, codename in perms}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(codename__in=wanted).select_related("content_type")
    }
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*[found[key] for key in perms if key in found])


def grant(user, role):
    """Put ``user`` in the group for ``role`` ("help-desk", "kb-editor" or "admin"); editors and admins are staff."""
    group = Group.objects.get(name=ROLE_NAMES[role])
    user.groups.add(group)
    if group.name in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
