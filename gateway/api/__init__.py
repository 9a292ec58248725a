"""api layer of the gateway core: the aiohttp app the organisation's systems call (JSON messages,
conversations, health, metrics, OpenAPI), with its callers' tokens and roles."""
