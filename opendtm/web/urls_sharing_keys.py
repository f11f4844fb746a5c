"""Subscription keys to the public API, inside an operation's URLs: /ops/<slug>/sharing/keys/."""

from django.urls import URLPattern, path

from opendtm.web.views import subscription_keys

urlpatterns: list[URLPattern] = [
    path("sharing/keys/", subscription_keys.subscription_key_index, name="subscription-keys"),
    path(
        "sharing/keys/<int:key_id>/revoke/",
        subscription_keys.subscription_key_revoke_view,
        name="subscription-key-revoke",
    ),
]
