"""Chat models: the OpenAI-compatible client, HTTP transports, the SSE codec, the scripted model."""
