"""`manage.py check` reports stored codes and aliases that break the rule of kb/codes.py (saved before it
existed, or written around the model, e.g. by a bulk update). Pages still work: such an entry is linked through
a search (kb.codes.entry_path)."""

from django.core import checks
from django.db import DatabaseError

from kb.codes import alias_problem, code_problem


@checks.register("kb")
def check_stored_codes(app_configs=None, **kwargs):
    from kb.models import Alias, Entry

    messages = []
    hint = "Fix it in the admin, or in the fixture and run `manage.py load_kb --force`."
    try:
        for pk, code in Entry.objects.values_list("pk", "code"):
            if code_problem(code):
                messages.append(checks.Warning(f"Entry {pk}: {code_problem(code)}", hint=hint, id="kb.W001"))
        for pk, alias, code in Alias.objects.values_list("pk", "alias", "entry__code"):
            if alias_problem(alias):
                messages.append(
                    checks.Warning(f"Alias {pk} of {code!r}: {alias_problem(alias)}", hint=hint, id="kb.W002")
                )
    except DatabaseError:
        return []  # no database or no tables yet (before migrate): nothing stored to check
    return messages
