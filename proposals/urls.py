

app_name = "proposals"

urlpatterns: list = []
