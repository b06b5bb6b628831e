# The Visit model, moved here from the campaigns app with its table (campaigns_visit) and its data untouched:
# this only adds it to the visits app's state; no SQL runs (campaigns 0001 created the table).

import django.db.models.deletion
import django.utils.timezone
import warmth.core.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('archives', '0001_initial'),
        ('campaigns', '0002_delete_visit'),
        ('funds', '0002_ledger_append_only'),
        ('orgs', '0001_initial'),
        ('payments', '0004_drop_user_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Visit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('household', '入户慰问'), ('enterprise', '走访企业')], max_length=10, verbose_name='走访类型')),
                        ('visited_on', models.DateField(verbose_name='走访日期')),
                        ('visitors', models.CharField(max_length=200, verbose_name='走访人员')),
                        ('recipient_kind', models.CharField(blank=True, choices=[('archive', '在档困难职工'), ('hardship_model', '困难劳模'), ('model_worker', '劳动模范'), ('craftsman', '工匠人才'), ('advanced', '先进人物'), ('frontline', '一线职工'), ('migrant', '农民工'), ('retiree', '离退休人员'), ('other', '其他生活困难职工')], max_length=16, verbose_name='对象类别')),
                        ('name', models.CharField(blank=True, max_length=30, verbose_name='姓名')),
                        ('id_number', warmth.core.fields.EncryptedTextField(blank=True, default='', kind='idcard', verbose_name='身份证号')),
                        ('id_number_bidx', warmth.core.fields.BlindIndexField(db_index=True, source='id_number')),
                        ('handed_over', models.CharField(blank=True, max_length=200, verbose_name='送去的慰问金物')),
                        ('cash_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='现场发放慰问金（元）')),
                        ('enterprise', models.CharField(blank=True, max_length=100, verbose_name='企业名称')),
                        ('enterprise_in_difficulty', models.BooleanField(default=False, verbose_name='困难企业')),
                        ('findings', models.TextField(blank=True, verbose_name='了解到的情况')),
                        ('frontline_greeted', models.PositiveIntegerField(default=0, verbose_name='慰问一线职工（人）')),
                        ('outside_window', models.BooleanField(default=False, verbose_name='在活动时间之外')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='备注')),
                        ('voided', models.BooleanField(default=False, verbose_name='已作废')),
                        ('void_reason', models.CharField(blank=True, max_length=200, verbose_name='作废理由')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('archive', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='archives.archive', verbose_name='档案')),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='campaigns.campaign')),
                        ('cash_pot', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='funds.fundpot', verbose_name='扣减资金')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visit', to='funds.ledgerentry', verbose_name='扣减记录')),
                        ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='campaigns.visitgroup', verbose_name='慰问组')),
                        ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='所在单位')),
                        ('payment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='payments.payment', verbose_name='对应发放')),
                    ],
                    options={
                        'verbose_name': '走访',
                        'db_table': 'campaigns_visit',
                        'ordering': ['-visited_on', '-id'],
                        'indexes': [models.Index(fields=['campaign', 'archive'], name='visit_campaign_archive')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
