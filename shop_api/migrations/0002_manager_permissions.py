"""Care managers make and revoke API keys, register and redeliver webhooks, and import order files."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Care managers": [
        "view_apikey",
        "add_apikey",
        "change_apikey",
        "view_webhookendpoint",
        "add_webhookendpoint",
        "change_webhookendpoint",
        "view_webhookdelivery",
        "redeliver_webhookdelivery",
        "view_webhookattempt",
        "view_orderfileimport",
        "add_orderfileimport",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; these are needed now.
    app_config = apps.get_app_config("shop_api")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="shop_api", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        for group in Group.objects.filter(name=role):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="shop_api", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("shop_api", "0001_initial"), ("claims", "0003_role_permissions")]

    operations = [migrations.RunPython(grant, revoke)]
