"""Telegram subscriptions: the store of chats and subscriptions, and the pipeline parts
(a matcher and a target source) that turn them into deliveries. See ``model``."""
