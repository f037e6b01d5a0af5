from django.urls import path

from kb import views, views_editor, views_review, views_search

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("errors/", views.entry_list, name="entry-list"),
    # The editors' pickers sit under "-", which no code is.
    path("errors/-/commands/", views_editor.command_options, name="pick-commands"),
    path("errors/-/services/", views_editor.service_options, name="pick-services"),
    path("errors/<str:code>/", views.entry_detail, name="entry-detail"),
    path("errors/<str:code>/edit/", views_editor.entry_edit, name="entry-edit"),
    path("errors/<str:code>/edit/preview/", views_editor.entry_preview, name="entry-preview"),
    path("errors/<str:code>/history/", views_editor.entry_history, name="entry-history"),
    path("errors/<str:code>/history/<int:revision_id>/restore/", views_editor.entry_restore, name="entry-restore"),
    path("errors/<str:code>/reviewed/", views_editor.entry_mark_reviewed, name="entry-mark-reviewed"),
    path("errors/<str:code>/publish/", views_editor.entry_publish, name="entry-publish"),
    path("errors/<str:code>/suggest/", views_review.entry_suggest, name="entry-suggest"),
    path("errors/<str:code>/suggest-code/", views_search.suggest_code, name="suggest-code"),
    path("review/", views_review.review_queue, name="review"),
    path("review/suggestions/<int:pk>/draft/", views_review.suggestion_draft, name="suggestion-draft"),
    path("review/suggestions/<int:pk>/close/", views_review.suggestion_close, name="suggestion-close"),
    path("review/missing/draft/", views_review.missing_draft, name="missing-draft"),
    path("commands/", views.command_list, name="command-list"),
    path("commands/<str:service>/<str:code>/", views.command_detail, name="command-detail"),
    path("api/errors/", views.api_entry_list, name="api-entry-list"),
    path("api/errors/<str:code>/", views.api_entry_detail, name="api-entry-detail"),
    path("search/", views_search.search_page, name="search"),
    path("search/go/", views_search.search_go, name="search-go"),
    path("search/settled/", views_search.search_settled, name="search-settled"),
    path("search/suggest/", views_search.search_suggest, name="search-suggest"),
    path("api/search/", views_search.api_search, name="api-search"),
    path("opensearch.xml", views_search.opensearch, name="opensearch"),
]
