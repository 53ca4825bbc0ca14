"""Schemes as versioned data. A version, once published, never changes: a policy keeps
the version it was written under, so a new version cannot rewrite past policies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchemeVersion(models.Model):
    code = models.SlugField(_("scheme"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=120)
    source = models.TextField(_("source"), blank=True)
    is_default = models.BooleanField(_("default for new LPAs"), default=False)
    # The whole rule set as published (eligibility, premium, grace, benefits); checked
    # by programme.schemes.rules.rules_validate before it is stored.
    rules = models.JSONField(_("rules"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheme version")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scheme_version_unique"),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="scheme_version_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"
