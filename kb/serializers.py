"""The JSON shapes of the public API (documented in README, "JSON API"). Keep them stable."""

from kb.lifecycle import commands_of, lifecycle_dict
from kb.vocabulary import CONFIDENCE_HELP


def entry_summary(entry, request=None):
    return {
        "code": entry.code,
        "title": entry.title,
        "summary": entry.summary,
        "api": entry.api,
        "category": entry.category,
        "retired": entry.retired,
        "url": _absolute(request, entry.get_absolute_url()),
        "api_url": _absolute(request, entry.get_api_url()),
    }


def entry_detail(entry, request=None):
    data = entry_summary(entry, request)
    data.update(
        {
            "category_label": entry.get_category_display(),
            "aliases": [{"alias": a.alias, "note": a.note} for a in entry.aliases.all()],
            "source": entry.source,
            "confidence": entry.confidence,
            "confidence_note": CONFIDENCE_HELP[entry.confidence],
            "causes": [cause_dict(c) for c in entry.causes.all()],
            "related": [
                {"code": r.code, "title": r.title, "url": _absolute(request, r.get_absolute_url())}
                for r in sorted(entry.related.all(), key=lambda r: r.code.lower())
            ],
            "counterparts": [
                {
                    "code": link.to_entry.code,
                    "title": link.to_entry.title,
                    "api": link.to_entry.api,
                    "basis": link.basis,
                    "url": _absolute(request, link.to_entry.get_absolute_url()),
                }
                for link in entry.counterpart_pairs()
            ],
            "timeline": [
                {"version": t.version, "change": t.change, "source": t.source, "confidence": t.confidence}
                for t in entry.timeline.all()
            ],
            "commands": [{"command": c.key, **lifecycle_dict(c)} for c in commands_of(entry)],
            "messages": [
                {
                    "text": m.text,
                    "kind": m.kind,
                    "source": m.source,
                    "language": m.language,
                    "english": m.english or None,
                }
                for m in entry.messages.all()
            ],
            "created_at": entry.created_at.isoformat(),
            "updated_at": entry.updated_at.isoformat(),
        }
    )
    return data


def cause_dict(cause):
    """A cause as the JSON API and the fixture format both write it."""
    return {
        "slug": cause.slug,
        "api": cause.api,
        "title": cause.title,
        "meaning": cause.meaning,
        "when_seen": cause.when_seen,
        "commands": [cmd.key for cmd in cause.commands.all()],
        "services": [s.name for s in cause.services.all()],
        "steps": [s.text for s in cause.steps.all()],
    }


def _absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else path
