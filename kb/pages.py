"""What an entry page is made of, shared by the page, the editor's preview and the search's jump: the parts every
reader sees alike (rendered once per KB generation), and which alias a link named."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from kb.generation import per_generation
from kb.models import Command
from kb.search.text import key_term
from kb.textlinks import build_link_map, command_links
from kb.vocabulary import CONFIDENCE_HELP


def redirected_from(aliases, text):
    """The alias among ``aliases`` that ``text`` names, ignoring case, spaces and punctuation, as search does
    (``badwebidorpassword`` names ``BadWebIDorPassword``); None when it names none of them."""
    wanted = key_term(text or "")
    if not wanted:
        return None
    return next((alias for alias in aliases if key_term(alias) == wanted), None)


@per_generation
def commands_by_service():
    """{service name: [command key]}, for causes seen on "any command of" a service (shared: do not change it)."""
    out: dict[str, list[str]] = {}
    for command in Command.objects.select_related("service"):
        out.setdefault(command.service.name, []).append(command.key)
    return out


def cause_views(entry):
    """The entry's causes, each with what its section shows: ``replay_keys`` (one "Replay…" control: the commands
    it names, or every command of a service it names) and ``show_when_seen`` (False when the text only repeats the
    "Returned by" chips)."""
    by_service = commands_by_service()
    causes = list(entry.causes.all())
    for cause in causes:
        cause.replay_choices = cause.replay_keys(by_service)
        cause.show_when_seen = cause.when_seen_adds
    return causes


def render_entry_parts(request, entry):
    """The parts of an entry page that are the same for every reader, as HTML strings (the editor's preview
    renders an unsaved entry through this too)."""
    texts = [entry.summary]
    for cause in entry.causes.all():
        texts += [cause.meaning, cause.when_seen, *[s.text for s in cause.steps.all()]]
    texts += [event.change for event in entry.timeline.all()]
    permalink = request.build_absolute_uri(entry.get_absolute_url())
    counterparts = sorted((r for r in entry.counterparts.all() if not r.is_draft), key=lambda r: r.code.lower())
    context = {
        "entry": entry,
        "causes": cause_views(entry),
        "code_links": build_link_map(texts, exclude_code=entry.code),
        "command_links": command_links(),
        "permalink": permalink,
        "confidence_note": CONFIDENCE_HELP[entry.confidence],
        # "Related" leaves out what "In the other API" lists already.
        "related": sorted(
            (r for r in entry.related.all() if not r.is_draft and r not in counterparts), key=lambda r: r.code.lower()
        ),
        "counterparts": [link.to_entry for link in entry.counterpart_pairs()],
        "counterpart_links": entry.counterpart_pairs(),
        "timeline": list(entry.timeline.all()),
        "conditions": list(entry.conditions.all()) if entry.pk else [],
    }
    return {
        "code": entry.code,
        "title": entry.title,
        "draft": entry.is_draft,
        "aliases": [alias.alias for alias in entry.aliases.all()],
        "meta": mark_safe(render_to_string("kb/_entry_meta.html", context)),  # rendered template
        "article": mark_safe(render_to_string("kb/_entry_article.html", context)),  # rendered template
    }
