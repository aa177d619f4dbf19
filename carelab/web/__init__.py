"""CareLab's own HTTP routes, mounted beside the Streamlit app by server.py."""
