"""Security keys and passkeys (WebAuthn) as a second factor, through django-otp-webauthn.

Its four JSON endpoints are mounted under the namespace it expects (`otp_webauthn`, see parcours/urls.py);
the subclasses only log the event and renew the session key once the second factor is verified. Passwordless
login is off (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN): the key always comes after the password, which is
what the throttling of the login form protects.
"""

import logging

from django.urls import path
from django_otp_webauthn import views

log = logging.getLogger("parcours.security")


class CompleteRegistration(views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        log.info("Clé de sécurité ajoutée : utilisateur %s.", self.request.user.pk)
        return response


class CompleteAuthentication(views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        super().complete_auth(device)
        self.request.session.cycle_key()
        log.info("Seconde étape réussie : utilisateur %s, clé de sécurité.", device.user_id)


app_name = "otp_webauthn"
urlpatterns = [
    path(
        "enregistrement/debut/",
        views.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path("enregistrement/fin/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path(
        "verification/debut/",
        views.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path("verification/fin/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
]
