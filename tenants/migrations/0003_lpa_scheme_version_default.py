"""Give LPAs created before schemes existed the default scheme, then require one."""

import json
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

_META = ("code", "version", "name", "source", "is_default")


def assign_default_scheme(apps, schema_editor):
    Lpa = apps.get_model("tenants", "Lpa")
    SchemeVersion = apps.get_model("schemes", "SchemeVersion")
    if not Lpa.objects.filter(scheme_version__isnull=True).exists():
        return
    default = SchemeVersion.objects.filter(is_default=True).first()
    if default is None:
        import programme.schemes

        data_dir = Path(programme.schemes.__file__).resolve().parent / "data"
        for path in sorted(data_dir.glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            version, _ = SchemeVersion.objects.get_or_create(
                code=document["code"],
                version=document["version"],
                defaults={
                    "name": document["name"],
                    "source": document.get("source", ""),
                    "is_default": bool(document.get("is_default")),
                    "rules": {k: v for k, v in document.items() if k not in _META},
                },
            )
            if version.is_default:
                default = version
    Lpa.objects.filter(scheme_version__isnull=True).update(scheme_version=default)


class Migration(migrations.Migration):
    dependencies = [
        ("schemes", "0001_initial"),
        ("tenants", "0002_lpa_scheme_version"),
    ]

    operations = [
        migrations.RunPython(assign_default_scheme, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="lpa",
            name="scheme_version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lpas",
                to="schemes.schemeversion",
                verbose_name="scheme",
            ),
        ),
    ]
