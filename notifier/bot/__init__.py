"""The Telegram subscription bot (aiogram 3): people subscribe to keywords by chatting.

Everything here imports aiogram; nothing outside ``notifier.bot`` may import this package
at module level (``notifier check`` and ``test-rule`` must start fast).
"""
