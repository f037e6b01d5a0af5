"""The guided troubleshooting wizard.

Every step is a URL: the answers so far are the query string (``?came-back=reason-code&li-code=bad-id``),
so a link pasted into a ticket opens the same step for anybody. ``change=<node>`` shows that question again
with the other answers kept; those that still apply are used once it is answered.
"""

import copy

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from core import tickets, writelimits
from core.rendering import push_url, render_page, render_partial, wants_fragment
from kb.models import Suggestion
from kb.textlinks import build_link_map, command_links
from troubleshooter.flows import SLUG_RE, FlowGraph, published_flows, served_graph
from troubleshooter.forms import FeedbackForm
from troubleshooter.models import Flow, WizardEvent
from troubleshooter.wizard import (
    breadcrumbs,
    choice_links,
    command_link,
    kept_answers,
    record_finished,
    record_started,
    step_url,
    ticket_summary,
    ticket_url,
    with_query,
    wizard_ticket,
)

RESERVED_PARAMS = ("change", "flow", "format")
MAX_ANSWERS = 50


def read_answers(request):
    """The answers in the query string: {node slug: choice slug}, in order; malformed pairs are ignored."""
    answers = {}
    for key, values in request.GET.lists():
        if key in RESERVED_PARAMS or len(answers) >= MAX_ANSWERS:
            continue
        value = values[-1].strip() if values else ""
        if len(key) <= 60 and len(value) <= 60 and SLUG_RE.fullmatch(key) and SLUG_RE.fullmatch(value):
            answers[key] = value
    return answers


@require_safe
def wizard_start(request):
    """'What were you trying to do?': the published flows. ``?flow=`` marks the current answer when changing it."""
    answers = read_answers(request)
    current = request.GET.get("flow", "")
    flows = list(published_flows())
    options = [
        {"flow": flow, "url": with_query(flow.get_absolute_url(), answers), "current": flow.slug == current}
        for flow in flows
    ]
    context = {
        "options": options,
        "changing": bool(current),
        "kept": [],
        "current_flow": next((f for f in flows if f.slug == current), None),
        "answers": answers,
    }
    if current and answers:
        graph = served_graph(context["current_flow"]) if context["current_flow"] else None
        context["kept"] = kept_answers(graph, answers) if graph else []
    return render_page(request, "troubleshooter/wizard_start.html", context)


def _canonical(flow, walk, change):
    if walk.changing is not None:
        current = {change: walk.current_choice} if walk.current_choice else {}
        return step_url(flow, {**walk.answers, **current, **walk.kept}, change=change)
    return step_url(flow, {**walk.answers, **walk.kept})


@require_safe
def wizard_step(request, slug):
    flow = get_object_or_404(Flow.objects.published(), slug=slug)
    graph = served_graph(flow)
    if graph.start is None:
        raise Http404("This flow has no start node.")
    change = request.GET.get("change", "").strip() or None
    walk = graph.walk(read_answers(request), change)
    canonical = _canonical(flow, walk, change)
    if request.get_full_path() != canonical and not walk.stale and not wants_fragment(request):
        return HttpResponseRedirect(canonical)  # tidy address: answers in path order, none that do not apply
    if walk.is_outcome:
        record_finished(request, flow, walk)
    else:
        record_started(request, flow)
    response = _step_response(request, flow, graph, walk, canonical)
    if wants_fragment(request) and request.get_full_path() != canonical:
        push_url(response, canonical)
    return response


def _steps_after(walk):
    """The outcome's steps, without those that ask for a test the path has just run (the su-test question's
    ``p.php?AT=SU``): a person who ran it is not sent to run it again."""
    steps = list(walk.node.cause.steps.all()) if walk.node.cause else []
    done = [node.command.key for node, _choice in walk.steps if node.command is not None]
    return [step for step in steps if not any(key in step.text for key in done)]


def hide_drafts(request, walk):
    """An outcome that names a draft entry shows neither it nor its cause to anyone but KB editors (the graph is
    cached for everyone: the node is copied, not changed)."""
    node = walk.node
    if node is not None and node.entry is not None and not node.entry.is_visible_to(request.user):
        node = copy.copy(node)
        node.entry, node.cause = None, None
        walk.node = node
    return walk


def _step_response(request, flow, graph, walk, canonical, feedback_form=None, status=200, extra=None):
    hide_drafts(request, walk)
    node = walk.node
    texts = [flow.description]
    if node is not None:
        texts += [node.help, node.guidance]
        if walk.is_outcome and node.entry:
            texts.append(node.entry.summary)
        if walk.is_outcome and node.cause:
            texts += [node.cause.meaning, *[s.text for s in node.cause.steps.all()]]
    context = {
        "flow": flow,
        "walk": walk,
        "node": node,
        "crumbs": breadcrumbs(flow, walk),
        "kept": kept_answers(graph, walk.kept),
        "canonical": canonical,
        "permalink": request.build_absolute_uri(canonical),
        "code_links": build_link_map(texts),
        "command_links": command_links(),
    }
    if walk.is_outcome:
        steps = _steps_after(walk)
        context.update(
            steps=steps,
            replay=command_link(node.command, node.params, canonical) if node.command else None,
            summary=ticket_summary(request, flow, walk, steps),
            ticket_url=ticket_url(flow, walk),
            feedback_form=feedback_form or FeedbackForm(),
            feedback_url=with_query(reverse("troubleshooter:wizard-feedback", args=[flow.slug]), walk.answers),
        )
        context.update(extra or {})
        return render_page(request, "troubleshooter/wizard_outcome.html", context, status=status)
    question = walk.changing or node
    context.update(
        question=question,
        choices=choice_links(flow, graph, walk, question),
        test=command_link(question.command, question.params, canonical) if question and question.command else None,
    )
    return render_page(request, "troubleshooter/wizard_step.html", context, status=status)


@require_safe
def wizard_ticket_text(request, slug):
    """The outcome these answers lead to, as text for a ticket (``format=markdown|text|jira``)."""
    flow = get_object_or_404(Flow.objects.published(), slug=slug)
    walk = hide_drafts(request, served_graph(flow).walk(read_answers(request)))
    if not walk.is_outcome:
        return tickets.text_response("These answers do not lead to an outcome yet.\n", status=404)
    steps = _steps_after(walk)
    return tickets.ticket_response(request, lambda: wizard_ticket(request, flow, walk, steps))


@require_POST
def wizard_feedback(request, slug):
    """'Did this solve it?': recorded with the path; the answers come in the query string like every step."""
    flow = get_object_or_404(Flow.objects.published(), slug=slug)
    graph = FlowGraph(flow)
    walk = graph.walk(read_answers(request))
    outcome_url = step_url(flow, walk.answers)
    if not walk.is_outcome:
        messages.error(request, "These answers do not lead to an outcome yet, so there is nothing to give feedback on.")
        return HttpResponseRedirect(outcome_url)
    form = FeedbackForm(request.POST)
    verdict = writelimits.hit(request, "vote") if form.is_valid() else None
    if verdict is not None and not verdict.allowed:
        form.add_error(None, writelimits.message(verdict, "answers"))
    if not form.is_valid():
        status = 429 if verdict is not None else 400
        if wants_fragment(request):  # htmx swaps only 2xx answers: the form comes back with its message
            context = {"flow": flow, "feedback_form": form, "feedback_url": request.get_full_path()}
            response = render_partial(request, "troubleshooter/_wizard_feedback.html", context, status=status)
        else:
            response = _step_response(request, flow, graph, walk, outcome_url, feedback_form=form, status=status)
        return writelimits.refused(response, verdict) if verdict is not None else response
    resolved = form.cleaned_data["resolved"] == "yes"
    comment = form.cleaned_data["comment"]
    user = request.user if request.user.is_authenticated else None
    WizardEvent.objects.create(
        flow=flow,
        kind=WizardEvent.Kind.FEEDBACK,
        outcome=walk.node,
        outcome_slug=walk.node.slug,
        path=walk.path,
        resolved=resolved,
        comment=comment,
        user=user,
    )
    if not resolved and comment:
        # An unsolved case with a comment is a gap in the knowledge: it joins the suggestions list.
        Suggestion.objects.record(
            f"Wizard: {flow.title}: {walk.node.text}",
            note=f"{comment}\n\n{request.build_absolute_uri(outcome_url)}",
            origin=Suggestion.Origin.WIZARD,
            user=user,
            sender=writelimits.sender(request),
        )
    thanks = "Thank you: recorded as solved." if resolved else "Thank you: recorded as not solved."
    # Not solved: escalation at once (the summary for the ticket, "suggest an edit", a box to read another answer).
    escalate = {"unsolved": not resolved, "node": walk.node, "ticket_url": ticket_url(flow, walk)}
    if wants_fragment(request):
        return render_partial(
            request, "troubleshooter/_wizard_feedback.html", {"thanks": thanks, "flow": flow, **escalate}
        )
    if not resolved:
        return _step_response(request, flow, graph, walk, outcome_url, extra={"thanks": thanks, **escalate})
    messages.success(request, thanks)
    return HttpResponseRedirect(outcome_url)
