"""guidance-bot: answers Shinagawa City staff from the city's compliance documents.

The core is platform-neutral; Slack and Teams live in the top-level ``adapters`` folder.
"""

__version__ = "0.1.0"
