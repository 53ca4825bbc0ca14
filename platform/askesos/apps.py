from django.apps import AppConfig


class AskesosConfig(AppConfig):
    """The project package itself: templates, translations, commands, signals."""

    name = "askesos"
    verbose_name = "ASKESOS"

    def ready(self) -> None:
        from askesos import system_checks  # noqa: F401  (registers the checks)
