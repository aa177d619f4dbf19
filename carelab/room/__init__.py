"""The room: the participant side of live workshops, served beside Streamlit by server.py.

- `routes`: the Starlette router (join page, JSON join/state/answer, step stream, long poll).
- `page`: the phone's single HTML page with its inline CSS and JavaScript, a few KB.

Phones never run Streamlit pages (see ARCHITECTURE.md); everything they may do goes
through carelab.workshop.participants, and the room exposes no facilitator action.
"""
