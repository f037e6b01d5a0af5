from django.urls import path

from kb import views, views_search

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("errors/", views.entry_list, name="entry-list"),
    path("errors/<str:code>/", views.entry_detail, name="entry-detail"),
    path("errors/<str:code>/suggest/", views_search.suggest_code, name="suggest-code"),
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
