"""Readers' votes on entries ("Was this helpful?"): one changeable vote per user or browser session."""

import pytest

from kb.models import Entry, EntryFeedback


def test_a_vote_is_kept_once_per_user_and_can_be_changed(kb, django_user_model):
    entry = Entry.objects.get(code="AccessDenied")
    user = django_user_model.objects.create_user("voter", password="x-Long-pass-1")
    vote, created = EntryFeedback.objects.cast(entry, helpful=True, user=user, session_key="ignored")
    assert created and vote.helpful and vote.session_key == ""
    vote, created = EntryFeedback.objects.cast(entry, helpful=False, comment="no PW=hunter2 example", user=user)
    assert not created and not vote.helpful
    assert "hunter2" not in vote.comment
    assert EntryFeedback.objects.filter(entry=entry).count() == 1
    assert list(EntryFeedback.objects.since(30).unhelpful()) == [vote]


def test_anonymous_readers_vote_once_per_session(kb):
    entry = Entry.objects.get(code="AccessDenied")
    EntryFeedback.objects.cast(entry, helpful=True, session_key="s1")
    EntryFeedback.objects.cast(entry, helpful=False, session_key="s1")
    EntryFeedback.objects.cast(entry, helpful=True, session_key="s2")
    assert sorted(EntryFeedback.objects.values_list("session_key", "helpful")) == [("s1", False), ("s2", True)]
    with pytest.raises(ValueError, match="needs a user or a session"):
        EntryFeedback.objects.cast(entry, helpful=True)
