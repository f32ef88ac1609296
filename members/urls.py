from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("me/", views.member_home, name="member-home"),
    path("staff/", views.staff_home, name="staff-home"),
]
