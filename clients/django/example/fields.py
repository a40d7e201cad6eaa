"""A case-insensitive text column (PostgreSQL's citext) for example.Specimen.

django.contrib.postgres.fields.CICharField did this up to Django 5.0; it is
deprecated since 4.2 and gone since 5.1, where the name is kept for old
migrations only and makes a plain varchar column. This field is what it was
(a CharField whose column type is citext), on Django 3.2, 4.2 and 5.x alike.
The citext extension must be there first (CITextExtension in the migration).
"""
from django.db import models


class CICharField(models.CharField):
    def db_type(self, connection):
        return "citext"
