"""Users in the admin, identified by email: superusers give staff members their role (group) here."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from asm_portal.admin_input import CheckedInputAdmin
from claims.models import User


class StaffCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class StaffChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}


class StaffLoginForm(AdminAuthenticationForm):
    """The admin login, refusing beside the field an email longer than any account's.

    Django sets the field's ``max_length`` without its validator, so a longer
    name reached django-axes, whose record of the failure (255 characters) broke.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        if isinstance(username, forms.CharField) and username.max_length is not None:
            username.validators.append(MaxLengthValidator(username.max_length))


admin.site.login_form = StaffLoginForm


@admin.register(User)
class StaffUserAdmin(CheckedInputAdmin, DjangoUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (_("Role"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "is_staff", "is_superuser")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    show_full_result_count = False
