from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    """Tenant app: claims (klaim), their documents, verification against the scheme,
    payment requests signed by the Ketua and paid by the Bendahara from the reserve."""

    name = "programme.claims"
    label = "claims"
    verbose_name = "Klaim"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from programme.claims.models import Claim, ClaimDocument, PaymentRequest

        auditlog.register(Claim)
        auditlog.register(PaymentRequest)
        auditlog.register(ClaimDocument)
