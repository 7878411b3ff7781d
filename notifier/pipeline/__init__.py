"""The service's moving parts: ingest (digest → stories → queued deliveries), dispatch
(queued deliveries → channels) and the service that runs them with the sources."""
