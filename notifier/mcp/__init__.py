"""``notifier mcp``: an MCP server over the stories, rules and deliveries of a store.

- :mod:`notifier.mcp.server`: the tools, their input bounds and their errors (the SDK);
- :mod:`notifier.mcp.state`: the config and store the tools read (reloaded when edited);
- :mod:`notifier.mcp.reading`: the read-only tools, as plain data;
- :mod:`notifier.mcp.writing`: ``add_rule``, ``remove_rule`` and ``retry`` (``--allow-write``);
- :mod:`notifier.mcp.rules_file`: a rules file edited as text, comments kept;
- :mod:`notifier.views.secrets` (shared with the web page): what must never reach a client;
- :mod:`notifier.mcp.http`: streamable HTTP behind a bearer token.

Nothing here is imported by the other commands: the SDK is heavy (see README).
"""
