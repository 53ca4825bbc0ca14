from django.apps import AppConfig


class AskesosConfig(AppConfig):
    """The project package itself: templates, translations, commands, signals."""

    name = "askesos"
    verbose_name = "ASKESOS"
