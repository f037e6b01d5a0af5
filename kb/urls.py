from django.urls import path, register_converter

from core.converters import IdConverter
from kb import views, views_conditions, views_entry
from kb.codes import CodeConverter
from kb.editing import review_views
from kb.editing import views as editing_views
from kb.search import views as search_views
from kb.triage import views as triage_views

register_converter(CodeConverter, "code")  # an entry's code, percent-encoded: one bad stored row fails no page
register_converter(IdConverter, "id")  # a database id: a 25-digit one is a 404, never a query out of range

app_name = "kb"
urlpatterns = [
    # Search first: search as you type is the busiest path, and Django tries the patterns in order.
    path("search/", search_views.search_page, name="search"),
    path("search/go/", search_views.search_go, name="search-go"),
    path("search/settled/", search_views.search_settled, name="search-settled"),
    path("search/suggest/", search_views.search_suggest, name="search-suggest"),
    path("api/search/", search_views.api_search, name="api-search"),
    path("", views.home, name="home"),
    path("errors/", views.entry_list, name="entry-list"),
    # The editors' pickers sit under "-", which no code is.
    path("errors/-/commands/", editing_views.command_options, name="pick-commands"),
    path("errors/-/services/", editing_views.service_options, name="pick-services"),
    path("errors/<code:code>/", views.entry_detail, name="entry-detail"),
    path("errors/<code:code>/ticket/", views_entry.entry_ticket, name="entry-ticket"),
    path("errors/<code:code>/feedback/", views_entry.entry_feedback, name="entry-feedback"),
    path("errors/<code:code>/edit/", editing_views.entry_edit, name="entry-edit"),
    path("errors/<code:code>/edit/preview/", editing_views.entry_preview, name="entry-preview"),
    path("errors/<code:code>/history/", editing_views.entry_history, name="entry-history"),
    path("errors/<code:code>/history/<id:revision_id>/restore/", editing_views.entry_restore, name="entry-restore"),
    path("errors/<code:code>/reviewed/", editing_views.entry_mark_reviewed, name="entry-mark-reviewed"),
    path("errors/<code:code>/publish/", editing_views.entry_publish, name="entry-publish"),
    path("errors/<code:code>/suggest/", review_views.entry_suggest, name="entry-suggest"),
    path("errors/<code:code>/suggest-code/", search_views.suggest_code, name="suggest-code"),
    path("conditions/", views_conditions.condition_list, name="condition-list"),
    path("conditions/<str:slug>/", views_conditions.condition_detail, name="condition-detail"),
    path("insights/", views.insights, name="insights"),
    path("review/", review_views.review_queue, name="review"),
    path("review/suggestions/<id:pk>/draft/", review_views.suggestion_draft, name="suggestion-draft"),
    path("review/suggestions/<id:pk>/close/", review_views.suggestion_close, name="suggestion-close"),
    path("review/missing/draft/", review_views.missing_draft, name="missing-draft"),
    path("review/seen/close/", review_views.seen_reason_close, name="seen-reason-close"),
    path("commands/", views.command_list, name="command-list"),
    path("commands/<str:service>/<str:code>/", views.command_detail, name="command-detail"),
    path("api/errors/", views.api_entry_list, name="api-entry-list"),
    path("api/errors/<code:code>/", views.api_entry_detail, name="api-entry-detail"),
    path("triage/", triage_views.triage_page, name="triage"),
    path("triage/<str:token>/", triage_views.triage_card, name="triage-card"),
    path("triage/<str:token>/ticket/", triage_views.triage_ticket, name="triage-ticket"),
    path("api/triage/", triage_views.api_triage, name="api-triage"),
    path("favicon.ico", views_entry.favicon, name="favicon"),
    path("opensearch.xml", search_views.opensearch, name="opensearch"),
]
