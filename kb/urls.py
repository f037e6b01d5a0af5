from django.urls import path, register_converter

from kb import views, views_editor, views_entry, views_review, views_search
from kb.codes import CodeConverter

register_converter(CodeConverter, "code")  # an entry's code, percent-encoded: one bad stored row fails no page

app_name = "kb"
urlpatterns = [
    # Search first: search as you type is the busiest path, and Django tries the patterns in order.
    path("search/", views_search.search_page, name="search"),
    path("search/go/", views_search.search_go, name="search-go"),
    path("search/settled/", views_search.search_settled, name="search-settled"),
    path("search/suggest/", views_search.search_suggest, name="search-suggest"),
    path("api/search/", views_search.api_search, name="api-search"),
    path("", views.home, name="home"),
    path("errors/", views.entry_list, name="entry-list"),
    # The editors' pickers sit under "-", which no code is.
    path("errors/-/commands/", views_editor.command_options, name="pick-commands"),
    path("errors/-/services/", views_editor.service_options, name="pick-services"),
    path("errors/<code:code>/", views.entry_detail, name="entry-detail"),
    path("errors/<code:code>/ticket/", views_entry.entry_ticket, name="entry-ticket"),
    path("errors/<code:code>/feedback/", views_entry.entry_feedback, name="entry-feedback"),
    path("errors/<code:code>/edit/", views_editor.entry_edit, name="entry-edit"),
    path("errors/<code:code>/edit/preview/", views_editor.entry_preview, name="entry-preview"),
    path("errors/<code:code>/history/", views_editor.entry_history, name="entry-history"),
    path("errors/<code:code>/history/<int:revision_id>/restore/", views_editor.entry_restore, name="entry-restore"),
    path("errors/<code:code>/reviewed/", views_editor.entry_mark_reviewed, name="entry-mark-reviewed"),
    path("errors/<code:code>/publish/", views_editor.entry_publish, name="entry-publish"),
    path("errors/<code:code>/suggest/", views_review.entry_suggest, name="entry-suggest"),
    path("errors/<code:code>/suggest-code/", views_search.suggest_code, name="suggest-code"),
    path("review/", views_review.review_queue, name="review"),
    path("review/suggestions/<int:pk>/draft/", views_review.suggestion_draft, name="suggestion-draft"),
    path("review/suggestions/<int:pk>/close/", views_review.suggestion_close, name="suggestion-close"),
    path("review/missing/draft/", views_review.missing_draft, name="missing-draft"),
    path("commands/", views.command_list, name="command-list"),
    path("commands/<str:service>/<str:code>/", views.command_detail, name="command-detail"),
    path("api/errors/", views.api_entry_list, name="api-entry-list"),
    path("api/errors/<code:code>/", views.api_entry_detail, name="api-entry-detail"),
    path("favicon.ico", views_entry.favicon, name="favicon"),
    path("opensearch.xml", views_search.opensearch, name="opensearch"),
]
