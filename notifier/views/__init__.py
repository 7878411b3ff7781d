"""What the web page, the report and the MCP server show, as data (no HTML).

- :mod:`notifier.views.stories`: stored stories by date (:class:`StoryRow`);
- :mod:`notifier.views.trial`: a rule tried on the last days' stories (the playground);
- :mod:`notifier.views.day`: one day's stories grouped by rule, with where each went;
- :mod:`notifier.views.results`: an engine result as ``notifier test-rule`` shows it.
"""
