"""A constituent's personal data on request (namespace "privacy")."""

from django.urls import path

from liaison import views_personal_data as views

app_name = "privacy"

urlpatterns = [
    path("constituents/<int:pk>/", views.constituent_data, name="constituent-data"),
    path("constituents/<int:pk>/export/", views.constituent_data_export,
         name="constituent-data-export"),
    path("constituents/<int:pk>/erase/", views.constituent_erase, name="constituent-erase"),
]
