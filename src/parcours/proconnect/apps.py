from django.apps import AppConfig


class ProConnectConfig(AppConfig):
    name = "parcours.proconnect"
    label = "proconnect"
    verbose_name = "ProConnect"

    def ready(self):
        from parcours.accounts import login_options

        from . import views

        # The login page and the logout of accounts learn about ProConnect through its registry.
        if views.login_button not in login_options.BUTTONS:
            login_options.BUTTONS.append(views.login_button)
        if views.end_session_url not in login_options.LOGOUT_ELSEWHERE:
            login_options.LOGOUT_ELSEWHERE.append(views.end_session_url)
