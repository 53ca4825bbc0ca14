from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """Shared app: the national participant index and public card verification.

    Holds no personal data: a keyed hash of the NIK, which LPA, and whether active.
    """

    name = "programme.registry"
    label = "registry"
    verbose_name = "Indeks peserta nasional"
