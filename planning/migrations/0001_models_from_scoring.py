# Written by tools/floors/migrations.py: the planning models move from scoring.
import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


MOVED_MODELS = ["intervention", "provider", "offer", "demandrule"]


def relabel(from_label: str, to_label: str):
    """Move the content types of the moved models to their new app label, in place."""

    def run(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        rows = content_type.objects.using(schema_editor.connection.alias)
        for model in MOVED_MODELS:
            if rows.filter(app_label=from_label, model=model).exists():
                # A row made for the new label by a stray `migrate` run holds nothing yet.
                rows.filter(app_label=to_label, model=model).delete()
                rows.filter(app_label=from_label, model=model).update(app_label=to_label)

    return run


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('scoring', '0004_planning_models_leave'),
        ('surveys', '__first__'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Intervention',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('framework_code', models.SlugField(max_length=64, verbose_name='framework code')),
                        ('code', models.CharField(max_length=64, verbose_name='code')),
                        ('title', models.JSONField(default=dict, help_text='Text per language code.', verbose_name='title')),
                        ('description', models.JSONField(blank=True, default=dict, verbose_name='description')),
                        ('kind', models.CharField(choices=[('training_course', 'Training course'), ('centre_of_excellence', 'Centre-of-excellence programme'), ('advisory_mission', 'Advisory mission'), ('policy_support', 'Policy and regulatory support'), ('infrastructure', 'Infrastructure programme'), ('other', 'Other')], max_length=24, verbose_name='kind')),
                        ('channel', models.CharField(choices=[('training_institute', 'Training institute or academy'), ('centre_of_excellence', 'Centre of excellence'), ('country_programme', 'Development-partner country programme'), ('other_partner', 'Other partner')], max_length=24, verbose_name='delivery channel')),
                        ('targets', models.JSONField(default=dict, help_text='Indicator or pillar code → expected improvement in score points.', verbose_name='targets')),
                        ('cost', models.DecimalField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='cost (USD)')),
                        ('duration_months', models.PositiveSmallIntegerField(verbose_name='duration (months)')),
                        ('prerequisites', models.JSONField(blank=True, default=list, help_text='Codes of interventions that must be funded first.', verbose_name='prerequisites')),
                        ('exclusions', models.JSONField(blank=True, default=list, help_text='Codes of interventions that cannot be funded together with this one.', verbose_name='exclusions')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                    ],
                    options={
                        'verbose_name': 'intervention',
                        'verbose_name_plural': 'interventions',
                        'ordering': ['framework_code', 'code'],
                        'constraints': [models.UniqueConstraint(fields=('framework_code', 'code'), name='unique_intervention_code'), models.CheckConstraint(condition=models.Q(('cost__gt', 0)), name='intervention_cost_positive')],
                        'indexes': [],
                        'db_table': 'scoring_intervention',
                    },
                ),
                migrations.CreateModel(
                    name='Provider',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=64, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('kind', models.CharField(choices=[('academy_partner', 'ITU Academy partner'), ('centre_of_excellence', 'Centre of excellence'), ('university', 'University'), ('un_agency', 'UN agency'), ('private', 'Private company')], max_length=24, verbose_name='kind')),
                        ('region', models.CharField(choices=[('Africa', 'Africa'), ('Americas', 'Americas'), ('Arab States', 'Arab States'), ('Asia & Pacific', 'Asia & Pacific'), ('CIS', 'CIS'), ('Europe', 'Europe')], max_length=20, verbose_name='ITU region')),
                        ('languages', models.JSONField(default=list, help_text='ISO 639-1 codes.', verbose_name='languages')),
                        ('sample', models.BooleanField(default=False, help_text='An invented provider of the demo catalogue, not a real institution.', verbose_name='invented sample')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('country', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='providers', to='surveys.country', verbose_name='country')),
                    ],
                    options={
                        'verbose_name': 'provider',
                        'verbose_name_plural': 'providers',
                        'ordering': ['name'],
                        'indexes': [],
                        'constraints': [],
                        'db_table': 'scoring_provider',
                    },
                ),
                migrations.CreateModel(
                    name='Offer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=64, unique=True, verbose_name='code')),
                        ('framework_code', models.SlugField(max_length=64, verbose_name='framework code')),
                        ('title', models.JSONField(default=dict, help_text='Text per language code.', verbose_name='title')),
                        ('topics', models.JSONField(default=list, help_text='Indicator or pillar codes.', verbose_name='topics')),
                        ('mode', models.CharField(choices=[('online', 'Online'), ('in_person', 'In person'), ('blended', 'Blended')], max_length=12, verbose_name='delivery mode')),
                        ('languages', models.JSONField(default=list, help_text='ISO 639-1 codes.', verbose_name='languages')),
                        ('seats', models.PositiveIntegerField(verbose_name='seats per year')),
                        ('cost', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='cost per participant (USD)')),
                        ('duration_days', models.PositiveSmallIntegerField(verbose_name='duration (days)')),
                        ('level', models.CharField(choices=[('introductory', 'Introductory'), ('intermediate', 'Intermediate'), ('advanced', 'Advanced')], max_length=14, verbose_name='level')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('provider', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='offers', to='planning.provider', verbose_name='provider')),
                    ],
                    options={
                        'verbose_name': 'offer',
                        'verbose_name_plural': 'offers',
                        'ordering': ['code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('cost__gte', 0)), name='offer_cost_not_negative')],
                        'indexes': [],
                        'db_table': 'scoring_offer',
                    },
                ),
                migrations.CreateModel(
                    name='DemandRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('languages', models.JSONField(default=dict, help_text='Language code → share of participants, e.g. {"fr": 0.7, "en": 0.3}.', verbose_name='languages')),
                        ('mode', models.CharField(blank=True, choices=[('online', 'Online'), ('in_person', 'In person'), ('blended', 'Blended')], max_length=12, verbose_name='delivery mode')),
                        ('participants_per_point', models.DecimalField(decimal_places=2, default=Decimal('1'), max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='participants per gap point')),
                        ('country', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='demand_rule', to='surveys.country', verbose_name='country')),
                    ],
                    options={
                        'verbose_name': 'demand rule',
                        'verbose_name_plural': 'demand rules',
                        'indexes': [],
                        'constraints': [],
                        'db_table': 'scoring_demandrule',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(
            name='Intervention',
            table=None,
        ),
        migrations.AlterModelTable(
            name='Provider',
            table=None,
        ),
        migrations.AlterModelTable(
            name='Offer',
            table=None,
        ),
        migrations.AlterModelTable(
            name='DemandRule',
            table=None,
        ),
        migrations.RunPython(relabel('scoring', 'planning'), relabel('planning', 'scoring')),
    ]
