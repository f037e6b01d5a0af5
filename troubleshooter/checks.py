"""`manage.py check` reports stored flows that are not valid (published: error; draft: warning)."""

from django.core import checks
from django.db import DatabaseError

from troubleshooter.flows import FlowGraph
from troubleshooter.models import Flow


@checks.register("troubleshooter")
def check_stored_flows(app_configs=None, **kwargs):
    messages = []
    try:
        flows = list(Flow.objects.order_by("position", "slug"))
        for flow in flows:
            problems = FlowGraph(flow).problems()
            for problem in problems:
                if flow.published:
                    messages.append(
                        checks.Error(
                            f"Flow '{flow.slug}' is published but invalid: {problem}",
                            hint="Fix it in the admin (untick Published to edit it in steps) or reload the fixtures "
                            "with `manage.py load_kb --force`.",
                            obj=flow,
                            id="troubleshooter.E001",
                        )
                    )
                else:
                    messages.append(
                        checks.Warning(
                            f"Draft flow '{flow.slug}' is not valid yet: {problem}",
                            obj=flow,
                            id="troubleshooter.W001",
                        )
                    )
    except DatabaseError:
        return []  # no database or no tables yet (before migrate): nothing stored to check
    return messages
