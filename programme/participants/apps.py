from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    """Tenant app: the LPA's registry (kepesertaan): participants, heirs, policies, cards."""

    name = "programme.participants"
    label = "participants"
    verbose_name = "Kepesertaan"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from programme.participants.models import (
            Heir,
            ImportBatch,
            MeetingGroup,
            MemberCard,
            Participant,
            Policy,
        )

        auditlog.register(Participant)
        auditlog.register(Heir)
        auditlog.register(Policy)
        auditlog.register(MemberCard)
        auditlog.register(MeetingGroup)
        auditlog.register(ImportBatch)
