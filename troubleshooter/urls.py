app_name = "troubleshooter"
urlpatterns = []
