from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from tongban.core import checks  # noqa: F401 - registers the deploy checks
        from tongban.core.audit import AUDIT_CHAIN
        from tongban.core.chain import register_chain

        register_chain(AUDIT_CHAIN)
