"""What the wizard pages show: step URLs, breadcrumbs, choice links, the ticket summary, and the event log."""

from urllib.parse import urlencode

from django.urls import reverse

from core import tickets
from kb import evidence
from troubleshooter.models import WizardEvent
from webex.commandkeys import with_params
from webex.redaction import is_secret_name

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
    return with_params(command.key, {k: v for k, v in (params or {}).items() if not is_secret_name(k)})


def command_link(command, params=None, from_path=""):
    """The replay form, filled with this command; ``from_path`` (this step) lets the result link back to it."""
    text = command_text(command, params)
    query = {"command": text, "from": from_path} if from_path else {"command": text}
    return {"url": f"{reverse('replay:replay')}?{urlencode(query)}", "text": text}


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


def wizard_ticket(request, flow, walk, steps) -> tickets.Ticket:
    """A wizard outcome for a ticket: the path, the diagnosis, what to do, and the links."""
    node = walk.node
    path = [f"{START_QUESTION} {flow.title}"] + [f"{q.text} {c.label}" for q, c in walk.steps]
    sections = [tickets.Section(heading="Path", steps=path)]
    if node.entry:
        cause = f": {node.cause.title}" if node.cause else ""
        diagnosis = f"{tickets.code(node.entry.code)}{cause}"
    elif node.condition:
        diagnosis = f"condition: {node.condition.title}"
    else:
        diagnosis = "none in the knowledge base"
    sections.append(tickets.Section(facts=[("Diagnosis", diagnosis), ("Outcome", node.text)]))
    if node.condition:
        condition = node.condition
        sections.append(
            tickets.Section(
                heading=f"Condition: {condition.title}",
                paragraphs=[condition.summary, f"How to tell: {condition.question}"],
                steps=list(condition.steps),
            )
        )
    if steps:
        sections.append(tickets.Section(heading="What to do", steps=[step.text for step in steps]))
    if node.guidance:
        sections.append(tickets.Section(paragraphs=[node.guidance]))
    links = [("Wizard", request.build_absolute_uri(step_url(flow, walk.answers)))]
    if node.entry:
        url = node.cause.get_absolute_url() if node.cause else node.entry.get_absolute_url()
        links.append(("Knowledge base", request.build_absolute_uri(url)))
    if node.condition:
        links.append(("Condition", request.build_absolute_uri(node.condition.get_absolute_url())))
    if node.command:
        link = command_link(node.command, node.params)
        sections.append(tickets.Section(facts=[("Command to retry", tickets.code(link["text"]))]))
        links.append(("Replay", request.build_absolute_uri(link["url"])))
    replays = evidence.evidence_section(
        evidence.from_steps(request.user, walk_step_paths(flow, walk)), request.build_absolute_uri("/").rstrip("/")
    )
    if replays is not None:
        sections.append(replays)
    return tickets.Ticket(title=f"WebEx troubleshooting: {flow.title}", sections=sections, links=links)


def walk_step_paths(flow, walk) -> list[str]:
    """The address of every step of ``walk`` (the start, each question, the outcome), with and without the answers
    kept from an earlier path: a replay started from any of them was made from these steps."""
    answers = list(walk.answers.items())
    paths = []
    for end in range(len(answers) + 1):
        chosen = dict(answers[:end])
        paths += [step_url(flow, chosen), step_url(flow, {**chosen, **walk.kept})]
    return list(dict.fromkeys(paths))


def ticket_summary(request, flow, walk, steps):
    """The outcome for a ticket, in Markdown (the other formats come from the ticket URL)."""
    return tickets.render(wizard_ticket(request, flow, walk, steps), "markdown")


def ticket_url(flow, walk):
    """The outcome's ticket text URL, ready for ``format=…`` to be appended."""
    return with_query(reverse("troubleshooter:wizard-ticket", args=[flow.slug]), walk.answers) + (
        "&" if walk.answers else "?"
    )
