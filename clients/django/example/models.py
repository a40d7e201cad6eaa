from django.contrib.auth.models import AbstractUser
from django.db import models


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
