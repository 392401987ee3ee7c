"""The back office's permissions, and exactly the ones each role gets (issue 5)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CARE_STAFF = {
    "claims": [
        "view_claim",
        "add_claim",  # file a claim for a customer who phoned or emailed (RP1, WP1)
        "review_claim",
        "decide_outcome",
        "view_order",
        "view_orderline",
        "view_product",
        "view_customer",
    ],
}
WAREHOUSE_STAFF = {"claims": ["receive_claim", "inspect_claim"]}
CARE_MANAGERS = {
    "claims": [*CARE_STAFF["claims"], "view_dashboard"],
    "policies": [
        "view_policyterms",
        "change_policyterms",
        "view_closureday",
        "add_closureday",
        "change_closureday",
        "delete_closureday",
    ],
}
ROLE_PERMISSIONS = {
    "Care staff": CARE_STAFF,
    "Warehouse staff": WAREHOUSE_STAFF,
    "Care managers": CARE_MANAGERS,
}


def assign_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations ran; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames_by_app in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codenames in codenames_by_app.items()
            for codename in codenames
        ]
        group.permissions.set(wanted)


def clear_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_roles"),
        ("policies", "0002_seed_terms"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="claim",
            options={
                "ordering": ["-submitted_at"],
                "permissions": [
                    (
                        "review_claim",
                        "Can ask for information, approve and reject claims, and add internal notes",
                    ),
                    ("decide_outcome", "Can decide the outcome of an inspected claim"),
                    ("receive_claim", "Can mark a claim's parcel received"),
                    ("inspect_claim", "Can record the inspection of a received claim"),
                    ("view_dashboard", "Can see the deadline dashboard"),
                ],
                "verbose_name": "claim",
                "verbose_name_plural": "claims",
            },
        ),
        migrations.RunPython(assign_permissions, clear_permissions),
    ]
