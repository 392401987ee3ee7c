"""Sign-in links are minted when their email is rendered: the links stored by earlier rows are removed.

A pending row recorded before this change has no order number to look up, so
the worker does not send it (the customer asks again); its link is removed
all the same, since a row must never hold a token.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def remove_stored_links(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Notification = apps.get_model("claims", "Notification")
    stored = Notification.objects.filter(template_key="sign_in_link", context__has_key="link")
    for notification in stored.iterator():
        notification.context = {key: value for key, value in notification.context.items() if key != "link"}
        notification.save(update_fields=["context"])


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_claim_open_next_date_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("skipped", "Not sent"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.RunPython(remove_stored_links, migrations.RunPython.noop, elidable=True),
    ]
