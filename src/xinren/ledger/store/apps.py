from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerStoreConfig(AppConfig):
    name = "xinren.ledger.store"
    label = "ledger"
    verbose_name = _("透明日志")

    def ready(self) -> None:
        from . import cosignatures  # noqa: F401 (registers the witness-key system check)
