from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import (
    ArrayField, BigIntegerRangeField, DateRangeField, DateTimeRangeField,
    DecimalRangeField, HStoreField, IntegerRangeField,
)
from django.db import models

from .fields import CICharField


class User(AbstractUser):
    """The original README's templates read {user__full_name}."""

    @property
    def full_name(self):
        return self.get_full_name()


class Certificate(models.Model):
    """The README examples' model (not tracked: only what the app logs)."""

    name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, default="active")
    updated_at = models.DateTimeField(auto_now=True)


class Document(models.Model):
    """A tracked model (see migrations/0002): every write is recorded, however it is made."""

    title = models.CharField(max_length=100)
    status = models.CharField(max_length=20, default="draft")
    owner = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.title


class Specimen(models.Model):
    """One field of every type Django ships (django.db.models and
    django.contrib.postgres), files and images included: logging it and its
    /log/ must work whatever the fields (NullBooleanField, deprecated, is
    BooleanField(null=True); CICharField, gone since Django 5.1, is the
    example app's own citext field)."""

    name = models.CharField(max_length=100)
    big = models.BigIntegerField(null=True)
    blob = models.BinaryField(null=True)
    flag = models.BooleanField(default=False)
    maybe = models.BooleanField(null=True)
    day = models.DateField(null=True)
    moment = models.DateTimeField(null=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    duration = models.DurationField(null=True)
    email = models.EmailField(blank=True)
    attachment = models.FileField(upload_to="files/", blank=True)
    path = models.FilePathField(path="/tmp", blank=True)
    ratio = models.FloatField(null=True)
    ip = models.GenericIPAddressField(null=True)
    picture = models.ImageField(upload_to="images/", blank=True)
    number = models.IntegerField(null=True)
    data = models.JSONField(null=True)
    positive_big = models.PositiveBigIntegerField(null=True)
    positive = models.PositiveIntegerField(null=True)
    positive_small = models.PositiveSmallIntegerField(null=True)
    slug = models.SlugField(blank=True)
    small = models.SmallIntegerField(null=True)
    text = models.TextField(blank=True)
    clock = models.TimeField(null=True)
    url = models.URLField(blank=True)
    key = models.UUIDField(null=True)
    owner = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    document = models.OneToOneField(Document, null=True, on_delete=models.SET_NULL)
    tags = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    attributes = HStoreField(null=True)
    nickname = CICharField(max_length=50, blank=True)  # citext (example/fields.py)
    integer_range = IntegerRangeField(null=True)
    big_range = BigIntegerRangeField(null=True)
    decimal_range = DecimalRangeField(null=True)
    period = DateTimeRangeField(null=True)
    days = DateRangeField(null=True)
