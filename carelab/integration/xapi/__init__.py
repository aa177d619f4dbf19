"""xAPI: learning records as statements for a Learning Record Store (docs/integration.md).

statements.py builds them from learning events; outbox.py queues them as learners act;
sender.py posts them in the background; admin.py is what the admin page and CLI show.
"""
