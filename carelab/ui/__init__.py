"""The Streamlit skin: pages and components over the core. Only this package imports streamlit."""
