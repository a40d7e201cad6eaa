"""The example models in the admin, written as any project writes them: the
log's history comes on their History pages by itself (eventlog.admin)."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Certificate, Document, User


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "status", "owner")


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "status")


admin.site.register(User, UserAdmin)
