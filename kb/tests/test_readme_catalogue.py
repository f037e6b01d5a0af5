"""The README's catalogue counts are the shipped fixtures' counts (issue 10: "The README says how many")."""

import re
from collections import Counter
from pathlib import Path

from django.conf import settings

from kb.models import Entry, Message


def _readme_row():
    text = Path(settings.BASE_DIR, "README.md").read_text()
    table = text[text.index("<!-- catalogue-counts") :]
    row = table.splitlines()[3]
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_the_readme_states_the_shipped_catalogue_counts(kb):
    total, high, medium, low, url, xml, both, messages, pairs = _readme_row()
    confidence = Counter(Entry.objects.values_list("confidence", flat=True))
    api = Counter(Entry.objects.values_list("api", flat=True))
    kinds = Counter(Message.objects.values_list("kind", flat=True))
    assert int(total) == Entry.objects.count()
    assert (int(high), int(medium), int(low)) == (confidence["high"], confidence["medium"], confidence["low"])
    assert (int(url), int(xml), int(both)) == (api["url"], api["xml"], api["both"])
    assert re.fullmatch(r"(\d+) \((\d+) / (\d+)\)", messages).groups() == tuple(
        str(n) for n in (Message.objects.count(), kinds["webex"], kinds["client"])
    )
    assert int(pairs) == Entry.counterparts.through.objects.count() // 2
