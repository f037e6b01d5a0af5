"""Two editors, one entry: the second save shows the other person's change as a diff beside yours, keeps your
text in the form, saves nothing, and saving again (after merging by hand) goes over the other change on purpose."""

from django.test import Client

from kb.models import Entry
from kb.tests.editing.helpers import URL, form_data, make_user


def test_a_conflict_shows_their_change_beside_yours_and_keeps_your_text(kb):
    alice, bob = Client(), Client()
    alice.force_login(make_user("alice", "kb-editor"))
    bob.force_login(make_user("bob", "kb-editor"))
    steps = list(
        Entry.objects.get(code="AlreadyLogon").causes.order_by("position")[0].steps.values_list("text", flat=True)
    )
    alices = form_data(alice, title="Alice's new title")
    bobs = form_data(bob, cause__0__step=[*steps, "Bob's extra step."], summary="Bob's summary, longer and better.")

    assert alice.post(URL, alices).status_code == 302
    response = bob.post(URL, bobs)
    page = response.content.decode().replace("&#x27;", "'")

    assert response.status_code == 409
    assert "Not saved: alice saved this entry after you opened it" in page
    their_side, your_side = page.split("<h3>Their change</h3>", 1)[1].split("<h3>Your change</h3>", 1)
    your_side = your_side.split('id="editor-form"', 1)[0]
    # Their change: the title, word by word; nothing of Bob's.
    assert "Alice's new title" in their_side and "<ins>" in their_side and "Title" in their_side
    assert "Bob's" not in their_side
    # Your change: the summary and the new step, numbered; nothing of Alice's.
    assert "Bob's summary, longer and better." in your_side and "Summary" in your_side
    assert "Bob's extra step." in your_side and "diff-added" in your_side
    assert "Alice's" not in your_side
    # The form holds Bob's text, ready to be merged by hand, and the version Alice saved.
    form = page.split('id="editor-form"', 1)[1]
    assert "Bob's summary, longer and better.</textarea>" in form
    assert "Bob's extra step.</textarea>" in form
    assert 'value="Alice\'s new title"' not in form  # Bob's own title stays until he merges
    assert 'name="loaded_version" value="2"' in form
    # Nothing of Bob's was saved.
    entry = Entry.objects.get(code="AlreadyLogon")
    assert entry.title == "Alice's new title" and entry.summary != "Bob's summary, longer and better."

    # Bob merges by hand (takes Alice's title) and saves: both changes are kept.
    merged = form_data(bob, cause__0__step=[*steps, "Bob's extra step."], summary="Bob's summary, longer and better.")
    merged["loaded_version"] = ["2"]
    assert bob.post(URL, merged).status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Alice's new title" and entry.summary == "Bob's summary, longer and better."
    assert entry.version == 3


def test_a_form_without_its_version_cannot_overwrite(kb):
    client = Client()
    client.force_login(make_user("carol", "kb-editor"))
    data = form_data(client, title="No version")
    del data["loaded_version"]
    response = client.post(URL, data)
    assert response.status_code == 409
    assert Entry.objects.get(code="AlreadyLogon").title != "No version"
