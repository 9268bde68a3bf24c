from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "parcours.audit"
    verbose_name = "Journal des accès"

    def ready(self):
        from parcours.core import network

        from . import conf, signals

        # A retention outside the CNIL range or a malformed proxy list stops the start-up with a clear error.
        conf.retention_days()
        network.trusted_proxies()
        signals.connect()
