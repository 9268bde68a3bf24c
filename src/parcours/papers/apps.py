from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "parcours.papers"
    verbose_name = "Documents officiels"

    def ready(self):
        from parcours.pathway.links import register_agenda_links, register_request_links

        from .links import agenda_links, request_links

        register_request_links(request_links)
        register_agenda_links(agenda_links)
