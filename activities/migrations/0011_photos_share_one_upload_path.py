"""The three photo models share one upload function (``activities.common.photos.photo_path``),
which stores files under the same names as the three it replaces. ``upload_to`` is not in the
database: the state changes, no table is rebuilt."""

import activities.common.photos
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0010_stored_file_names_indexed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='activityphoto',
                    name='image',
                    field=models.ImageField(db_index=True, upload_to=activities.common.photos.photo_path, verbose_name='photo'),
                ),
                migrations.AlterField(
                    model_name='activityphoto',
                    name='thumbnail',
                    field=models.ImageField(blank=True, db_index=True, upload_to=activities.common.photos.photo_path, verbose_name='thumbnail'),
                ),
                migrations.AlterField(
                    model_name='consultationphoto',
                    name='image',
                    field=models.ImageField(db_index=True, upload_to=activities.common.photos.photo_path, verbose_name='photo'),
                ),
                migrations.AlterField(
                    model_name='consultationphoto',
                    name='thumbnail',
                    field=models.ImageField(blank=True, db_index=True, upload_to=activities.common.photos.photo_path, verbose_name='thumbnail'),
                ),
                migrations.AlterField(
                    model_name='contactlogphoto',
                    name='image',
                    field=models.ImageField(db_index=True, upload_to=activities.common.photos.photo_path, verbose_name='photo'),
                ),
                migrations.AlterField(
                    model_name='contactlogphoto',
                    name='thumbnail',
                    field=models.ImageField(blank=True, db_index=True, upload_to=activities.common.photos.photo_path, verbose_name='thumbnail'),
                ),
            ],
        ),
    ]
