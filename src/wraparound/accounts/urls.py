"""The administrator's accounts screen, mounted under ``/accounts/``; and the session keep-alive."""

from django.urls import path

from wraparound.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("new/", views.create_account, name="create"),
    path("<int:staff_id>/", views.change_account, name="change"),
    path("<int:staff_id>/switch-off/", views.deactivate_account, name="deactivate"),
    path("<int:staff_id>/switch-on/", views.reactivate_account, name="reactivate"),
    path("<int:staff_id>/reset-password/", views.reset_password, name="reset_password"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
]
