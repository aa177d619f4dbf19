"""Small reusable Streamlit pieces."""
