"""notifier: read news digests, score items with keyword rules, push what matters."""

from notifier.errors import ConfigError, DigestError, NotifierError
from notifier.items import Item

__all__ = ["ConfigError", "DigestError", "Item", "NotifierError"]
__version__ = "0.1.0"
