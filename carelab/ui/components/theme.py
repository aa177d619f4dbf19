"""CareLab's own style rules on top of Streamlit's theme: contrast, focus and touch targets.

The colours are chosen for WCAG 2.1 AA on CareLab's two backgrounds, white (#ffffff) and
the sidebar (#f1f5f9). Ratios, computed with the WCAG relative-luminance formula:

- secondary text #4b5563: 7.56:1 on white, 6.90:1 on the sidebar (Streamlit's faded
  caption colour was 4.16:1 and 4.02:1, under the 4.5:1 that text needs);
- links #1f5f8b (the primary colour): 6.84:1 and 6.25:1, and underlined, so a link is
  told from text by more than colour;
- the focus ring #c2410c, 3 px with a 2 px gap: 5.18:1 on white and 4.73:1 on the
  sidebar (3:1 is needed for a focus indicator), the same ring as the phone room page;
- body text #0b1220 (in .streamlit/config.toml), near-black so that what Streamlit itself
  draws at 60% (placeholders, a table's pinned first column) is 4.91:1 and 4.77:1.

tests/app/test_theme.py recomputes these ratios from the CSS below, and the browser's axe
check (tests/e2e/test_accessibility.py) sees the result on every page.
"""

from __future__ import annotations

import streamlit as st

SECONDARY_TEXT = "#4b5563"
LINK = "#1f5f8b"
FOCUS_RING = "#c2410c"
BACKGROUNDS = ("#ffffff", "#f1f5f9")

# Selectors are Streamlit 1.67's data-testid and Base Web's data-baseweb attributes; a
# Streamlit upgrade that renames them shows up in the axe and focus browser tests.
CSS = f"""
<style>
/* This style block's own slot in the page takes no room (its rules still apply). */
[data-testid="stElementContainer"]:has(> [data-testid="stMarkdown"] style) {{
  display: none;
}}
/* Secondary text (captions, help under widgets, the sidebar's status line): 4.5:1 or more. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] small, [data-testid="stMarkdownContainer"] small {{
  color: {SECONDARY_TEXT} !important;
}}
/* Streamlit fades captions with opacity 0.6 on top of their colour: #4b5563 would show as
   #9399a1 (2.87:1). The colour above is the whole of the fading. */
[data-testid="stCaptionContainer"] {{ opacity: 1 !important; }}
[data-testid="stCaptionContainer"] a, [data-testid="stMarkdownContainer"] a {{
  color: {LINK} !important;
  text-decoration: underline;
}}
/* A visible focus ring on everything that takes focus. Radio buttons and checkboxes hide
   their real input element, so the ring goes on the option's label; text fields and selects
   ring their whole box. */
a:focus-visible, button:focus-visible, summary:focus-visible, [role="tab"]:focus-visible,
[role="slider"]:focus-visible, [tabindex]:not(input):focus-visible,
label:has(input[type="radio"]:focus-visible), label:has(input[type="checkbox"]:focus-visible),
[data-baseweb="input"]:focus-within, [data-baseweb="textarea"]:focus-within,
[data-baseweb="select"]:focus-within, [data-testid="stFileUploaderDropzone"]:focus-within {{
  outline: 3px solid {FOCUS_RING} !important;
  outline-offset: 2px !important;
}}
/* Streamlit puts a 16 px "Link to heading" anchor beside headings: an invisible tab stop
   (four of them before a quiz's Next button) and a target too small to tap. CareLab's
   pages have their own addresses, so the anchors go. */
[data-testid="stHeaderActionElements"] {{ display: none !important; }}
/* The main region takes focus only to be scrolled; its ring would frame the whole page. */
[data-testid="stMain"]:focus-visible {{ outline: none !important; }}
/* Download links to CareLab's export routes (components/download_links.py), drawn as
   Streamlit's secondary buttons are: text #0b1220 on white, a grey border. */
.carelab-downloads {{ display: flex; flex-wrap: wrap; gap: 0.5rem; }}
a.carelab-download {{
  display: inline-flex; align-items: center; min-height: 40px; padding: 0.25rem 0.75rem;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: #ffffff;
  color: #0b1220 !important; text-decoration: none !important; font-weight: 400;
}}
a.carelab-download:hover {{ border-color: {LINK}; color: {LINK} !important; }}
/* Phones: targets CareLab controls at least 44 by 44 px (WCAG 2.5.5, AAA, and the size
   the platforms' guidelines ask for), as on the room page. */
@media (max-width: 640px) {{
  [data-testid="stBaseButton-primary"], [data-testid="stBaseButton-secondary"],
  [data-testid="stBaseButton-tertiary"], [data-testid="stFormSubmitButton"] button,
  [data-testid="stDownloadButton"] button, [data-testid="stPageLink-NavLink"],
  [data-testid="stSidebarNavLink"], a.carelab-download {{
    min-height: 44px;
  }}
  [data-testid="stRadioOption"], [data-testid="stCheckbox"] label {{
    min-height: 44px;
    align-items: center;
  }}
  [data-testid="stExpander"] summary {{ min-height: 44px; }}
}}
</style>
"""


def apply() -> None:
    """Add CareLab's style rules to the page (once per run, before any page draws)."""
    # CareLab's own constant CSS, never user text. st.html would send a style-only block
    # to Streamlit's event container, which 1.67 does not draw in a multipage app.
    st.markdown(CSS, unsafe_allow_html=True)
