from django.apps import AppConfig


class DbFunctionsConfig(AppConfig):
    """Shared app holding PostgreSQL functions that every tenant schema's triggers call.

    They live once, in public, created by this app's migrations (run once, before any
    tenant): created per tenant they would be replaced concurrently by parallel tenant
    migrations, and a cloned schema would reference its template's copies.
    """

    name = "programme.dbfunctions"
    label = "dbfunctions"
    verbose_name = "Fungsi basis data"
