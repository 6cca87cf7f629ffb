from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "tongban.organizations"
    label = "organizations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tongban.organizations.models import Region
        from tongban.organizations.selectors import region_codes_forget

        post_save.connect(region_codes_forget, sender=Region, dispatch_uid="region-codes")
        post_delete.connect(region_codes_forget, sender=Region, dispatch_uid="region-codes-d")
