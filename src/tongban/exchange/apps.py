from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = _("Data sharing and exchange")

    def ready(self) -> None:
        from tongban.core.chain import register_chain
        from tongban.exchange.log import MESSAGE_CHAIN

        register_chain(MESSAGE_CHAIN)

        from tongban.exchange import routing

        routing.connect_signals()

        from tongban.core import sharing
        from tongban.exchange.services.gateway import internal_call

        sharing.register(internal_call)
