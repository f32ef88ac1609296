from django.urls import path

from liaison.intake import views

# Included at the root under the namespace "intake" (liaison/urls.py).

urlpatterns = [
    # The public page's short address, printed under the QR code: /q/<token>/.
    path("q/<str:token>/", views.public_form, name="public"),
    path("q/<str:token>/sent/", views.public_sent, name="public-sent"),
    # Staff and leaders of the platforms' councils.
    path("intake/", views.submission_list, name="submission-list"),
    path("intake/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("intake/<int:pk>/assign/", views.submission_assign, name="submission-assign"),
    path("intake/<int:pk>/merge/", views.submission_merge, name="submission-merge"),
    path("intake/<int:pk>/close/", views.submission_close, name="submission-close"),
    path("intake/<int:pk>/block/", views.phone_block, name="phone-block"),
    path("intake/blocked/", views.blocked_list, name="blocked-list"),
    path("intake/blocked/<int:pk>/unblock/", views.phone_unblock, name="phone-unblock"),
    path("intake/posters/", views.poster_list, name="poster-list"),
    path("intake/posters/all/", views.poster_all, name="poster-all"),
    path("intake/posters/<int:pk>/", views.poster, name="poster"),
    path("intake/posters/<int:pk>/renew/", views.poster_renew, name="poster-renew"),
]
