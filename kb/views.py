from django.http import HttpResponse


def home(request):
    return HttpResponse("")


entry_list = entry_detail = command_list = command_detail = api_entry_list = api_entry_detail = home


def not_found(request, exception=None):
    return HttpResponse("Not found", status=404)
