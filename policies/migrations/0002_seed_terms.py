from django.db import migrations


def seed_terms(apps, schema_editor):
    """The guide's values; addresses and contact channels (C1) are for managers to fill in."""
    PolicyTerms = apps.get_model("policies", "PolicyTerms")
    if PolicyTerms.objects.exists():
        return
    PolicyTerms.objects.create(
        return_window_days=7,
        warranty_months=12,
        refund_target_business_days=3,
        refund_deadline_business_days=5,
        repair_target_business_days=7,
        repair_deadline_business_days=10,
        ship_reminder_days=7,
        ship_expiry_days=14,
        info_reminder_days=5,
        info_expiry_days=14,
        warehouse_address="ASM Returns Warehouse\n(care managers: set the real address in the admin)",
        warranty_center_address="ASM Warranty Center\n(care managers: set the real address in the admin)",
        contact_email="care@asm.example",
        contact_phone="",
        contact_hours="Monday to Friday, 8:00–17:00",
    )


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [migrations.RunPython(seed_terms, migrations.RunPython.noop)]
