"""The wizard's outcomes marked "did not solve it" reach the KB review queue through kb.editing.review's registry."""

from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from kb.models import Entry
from troubleshooter.models import Flow, Node, WizardEvent
from troubleshooter.review import unsolved_outcomes


def test_unsolved_outcomes_are_counted_per_entry_and_listed_in_the_review_queue(client, kb):
    flow = Flow.objects.first()
    node = Node.objects.filter(flow=flow, entry__isnull=False).first()
    for resolved in (False, False, True, None):
        WizardEvent.objects.create(flow=flow, kind=WizardEvent.Kind.FEEDBACK, outcome=node, resolved=resolved)
    old = WizardEvent.objects.create(flow=flow, kind=WizardEvent.Kind.FEEDBACK, outcome=node, resolved=False)
    WizardEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    assert unsolved_outcomes(30) == {node.entry_id: 2}

    editor = User.objects.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="KB editors"))
    client.force_login(editor)
    page = client.get("/review/").content.decode()
    signals = page[page.index('id="signals"') : page.index('id="suggestions"')]
    assert Entry.objects.get(pk=node.entry_id).code in signals
    assert "2 unsolved wizard outcomes" in signals
