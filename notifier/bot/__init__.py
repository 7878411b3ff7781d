"""The Telegram subscription bot (aiogram 3): people subscribe to keywords by chatting.

- ``app``: Bot on the configured API server, Dispatcher, long polling or webhook,
  setMyCommands; ``BotRunner`` runs it in ``notifier bot`` and inside ``notifier run``.
- ``guard``: the middleware around every update (language, command rate, message length,
  polite refusals); ``errors``: the last word on failures (403 → deactivate, migration).
- Routers, one per feature: ``start`` (/start /help /lang), ``subscribe`` (/sub /unsub
  /list and its buttons /pause /resume), ``settings`` (/mode /tz /quiet), ``lookup``
  (/test /top), ``members`` (blocked, kicked, added, migrated), ``fallback`` (unknown
  commands, plain text, stale buttons).
- ``i18n``: every text in English and Chinese; ``exprs``: expressions on the pipeline's
  helpers; ``common``: chats, permissions, routed targets, story lines.

The handlers import aiogram; nothing outside ``notifier.bot`` imports them at module level
(``notifier check`` and ``test-rule`` must start fast).
"""
