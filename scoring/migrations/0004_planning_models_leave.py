# Written by tools/floors/migrations.py: the planning models move from scoring.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0003_offer_catalogue'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='DemandRule',
                ),
                migrations.DeleteModel(
                    name='Offer',
                ),
                migrations.DeleteModel(
                    name='Provider',
                ),
                migrations.DeleteModel(
                    name='Intervention',
                ),
            ],
        ),
    ]
