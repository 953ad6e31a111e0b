app_name = "report_downloads"
urlpatterns: list = []
