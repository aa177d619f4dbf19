"""Live workshops, pure logic (no Streamlit, no SQL): the room endpoint and pages call these.

- `session`: join codes, creating a workshop, and the facilitator's checked actions.
- `participants`: join, rejoin, answer and the state a phone shows.
- `steps`: the step snapshot a room runs on, made from a case plan or a module.
- `aggregate`: live results, the CSV export and the Markdown summary.
- `errors`: the named errors, each a sentence safe to show.
"""
