from django.urls import path

from opinions import views

app_name = "opinions"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("mine/", views.my_reports, name="my-reports"),
    path("new/", views.report_new, name="report-new"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("<int:pk>/forward/", views.report_forward, name="report-forward"),
    path("<int:pk>/adopt/", views.report_adopt, name="report-adopt"),
    path("<int:pk>/not-use/", views.report_not_use, name="report-not-use"),
    path("<int:pk>/instruct/", views.instruction_add, name="instruction-add"),
]
