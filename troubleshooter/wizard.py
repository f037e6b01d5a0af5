"""What the wizard pages show: step URLs, breadcrumbs, choice links, the ticket summary, and the event log."""

from urllib.parse import urlencode

from django.urls import reverse

from kb.redaction import is_secret_name
from troubleshooter.models import WizardEvent

START_QUESTION = "What were you trying to do?"
SESSION_OPEN = "wizard_open"
SESSION_DONE = "wizard_done"
SESSION_LIMIT = 50


def with_query(url, answers, **extra):
    pairs = list(answers.items()) + [(k, v) for k, v in extra.items() if v]
    return f"{url}?{urlencode(pairs)}" if pairs else url


def step_url(flow, answers, change=None):
    return with_query(reverse("troubleshooter:wizard-step", args=[flow.slug]), answers, change=change)


def all_answers(walk):
    """Every answer the person has given and that is still worth carrying: the path, the one being changed, the rest."""
    current = {walk.changing.slug: walk.current_choice} if walk.changing is not None and walk.current_choice else {}
    return {**walk.answers, **current, **walk.kept}


def breadcrumbs(flow, walk):
    """The answers so far; each links to its question, where the answer can be changed (later answers kept)."""
    everything = all_answers(walk)
    crumbs = [
        {
            "question": START_QUESTION,
            "answer": flow.title,
            "url": with_query(reverse("troubleshooter:wizard"), everything, flow=flow.slug),
            "current": False,
        }
    ]
    for node, choice in walk.steps:
        crumbs.append(
            {
                "question": node.text,
                "answer": choice.label,
                "url": step_url(flow, everything, change=node.slug),
                "current": False,
            }
        )
    if walk.changing is not None:
        label = next((c.label for c in walk.graph.choices[walk.changing.slug] if c.slug == walk.current_choice), "")
        crumbs.append({"question": walk.changing.text, "answer": label, "url": None, "current": True})
    return crumbs


def choice_links(flow, graph, walk, question):
    if question is None:
        return []
    links = []
    for choice in graph.choices.get(question.slug, []):
        answers = {**walk.answers, question.slug: choice.slug, **walk.kept}
        links.append(
            {
                "choice": choice,
                "url": step_url(flow, answers),
                "current": walk.changing is not None and choice.slug == walk.current_choice,
            }
        )
    return links


def kept_answers(graph, kept):
    """Answers carried along while an earlier one changes, as (question, answer) text for display."""
    shown = []
    for node_slug, choice_slug in kept.items():
        node = graph.nodes.get(node_slug)
        choice = next((c for c in graph.choices.get(node_slug, []) if c.slug == choice_slug), None)
        if node is not None and choice is not None:
            shown.append({"question": node.text, "answer": choice.label})
    return shown


def command_text(command, params):
    """The command with its prefilled parameters, as a person would paste it (secrets never included)."""
    safe = {k: v for k, v in (params or {}).items() if not is_secret_name(k)}
    if not safe:
        return command.key
    return f"{command.key}&{urlencode(safe)}" if "?AT=" in command.key else command.key


def command_link(command, params=None):
    """The replay form, filled with this command."""
    text = command_text(command, params)
    url = f"{reverse('replay:replay')}?{urlencode({'site': '', 'command': text})}"
    return {"url": url, "text": text}


# --- Events -------------------------------------------------------------------------------------------


def _remember(request, key, value):
    items = [v for v in request.session.get(key, []) if v != value]
    items.append(value)
    request.session[key] = items[-SESSION_LIMIT:]


def _forget(request, key, value):
    items = request.session.get(key, [])
    if value in items:
        items.remove(value)
        request.session[key] = items


def _user(request):
    return request.user if request.user.is_authenticated else None


def record_started(request, flow):
    """Once per flow per browser session until it is finished, however many steps and reloads."""
    if flow.slug in request.session.get(SESSION_OPEN, []):
        return
    WizardEvent.objects.create(flow=flow, kind=WizardEvent.Kind.STARTED, user=_user(request))
    _remember(request, SESSION_OPEN, flow.slug)


def record_finished(request, flow, walk):
    """Once per outcome URL per browser session: reloading the outcome page does not count again.

    An outcome opened cold (a link from a ticket) also counts as a start of the flow in that session."""
    key = f"{flow.slug}?{urlencode(list(walk.answers.items()))}"
    if key in request.session.get(SESSION_DONE, []):
        return
    record_started(request, flow)
    WizardEvent.objects.create(
        flow=flow,
        kind=WizardEvent.Kind.FINISHED,
        outcome=walk.node,
        outcome_slug=walk.node.slug,
        path=walk.path,
        user=_user(request),
    )
    _remember(request, SESSION_DONE, key)
    _forget(request, SESSION_OPEN, flow.slug)


# --- Ticket summary -----------------------------------------------------------------------------------


def ticket_summary(request, flow, walk, steps):
    """Markdown for a ticket: the path, the diagnosis and the links."""
    node = walk.node
    link = request.build_absolute_uri(step_url(flow, walk.answers))
    lines = [f"### WebEx troubleshooting: {flow.title}", f"Wizard: {link}", "", "**Path**"]
    lines.append(f"1. {START_QUESTION} {flow.title}")
    for i, (question, choice) in enumerate(walk.steps, start=2):
        lines.append(f"{i}. {question.text} {choice.label}")
    lines.append("")
    if node.entry:
        cause = f": {node.cause.title}" if node.cause else ""
        lines.append(f"**Diagnosis:** `{node.entry.code}`{cause}")
        url = node.cause.get_absolute_url() if node.cause else node.entry.get_absolute_url()
        lines.append(f"Entry: {request.build_absolute_uri(url)}")
    else:
        lines.append("**Diagnosis:** none in the knowledge base")
    lines.append(f"**Outcome:** {node.text}")
    if steps:
        lines += ["", "**What to do**"]
        lines += [f"{i}. {step.text}" for i, step in enumerate(steps, start=1)]
    if node.guidance:
        lines += ["", node.guidance]
    if node.command:
        link = command_link(node.command, node.params)
        lines += ["", f"Command to retry: `{link['text']}` {request.build_absolute_uri(link['url'])}"]
    return "\n".join(lines)
