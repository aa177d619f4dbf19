"""What the theme promises, in the browser: secondary text and links at 4.5:1, a focus ring
anyone can see, 44 px targets on a phone, and a Verify page that survives a reload.

The accessibility review of 0.4 measured captions at 4.16:1, caption links at 2.96:1, the
focus on sidebar links and radio options at 1.11:1 and 1.21:1, 22 px radio rows on phones,
and "Page not found" on reloading /verify?verify=CODE.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_app
from tests.e2e.waits import patient

FOCUS_RING = "rgb(194, 65, 12)"  # theme.FOCUS_RING, #c2410c
SECONDARY_TEXT = "rgb(75, 85, 99)"  # theme.SECONDARY_TEXT, #4b5563


def tab_until(page: Page, test: str, limit: int = 40) -> None:
    """Press Tab until the focused element passes a JavaScript test (as a keyboard user)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {test})(document.activeElement)"):
            return
    raise AssertionError(f"no focusable element passed {test} within {limit} Tabs")


def test_captions_and_links_are_dark_enough(page: Page, server: str):
    patient(page)
    page.goto(f"{server}/")
    wait_for_app(page)
    caption = page.locator("[data-testid=stCaptionContainer]").first
    expect(caption).to_be_visible()
    # to_have_css waits: on a loaded machine the style block can land after the caption.
    expect(caption).to_have_css("color", SECONDARY_TEXT)
    # Not faded again on top (Streamlit's own caption opacity is 0.6).
    expect(caption).to_have_css("opacity", "1")
    # The sidebar's status line, on the sidebar's grey.
    sidebar = page.locator("[data-testid=stSidebar] [data-testid=stCaptionContainer]").first
    expect(sidebar).to_have_css("color", SECONDARY_TEXT)


def test_a_keyboard_user_sees_where_focus_is(page: Page, server: str):
    patient(page)
    page.goto(f"{server}/")
    wait_for_app(page)
    # A sidebar link (0.4: a background tint at 1.11:1).
    tab_until(page, "e.dataset.testid === 'stSidebarNavLink'")
    ring = page.evaluate("getComputedStyle(document.activeElement).outline")
    assert "3px" in ring and FOCUS_RING in ring, ring

    # A radio option in the Lab (0.4: a tint at 1.21:1 around a 13 px input).
    page.goto(f"{server}/lab")
    wait_for_app(page)
    # No invisible 16 px "Link to heading" stops on the way (0.4 had one per heading).
    expect(page.get_by_role("heading").first).to_be_visible()
    expect(page.get_by_role("link", name="Link to heading")).to_have_count(0)
    # Reach the first visible radio group by keyboard: from the control before it, one Tab
    # (how many Tabs lie before it depends on the charts drawn, so not counted from the top).
    label = page.locator("[data-testid=stRadioOption]").locator("visible=true").first
    label.scroll_into_view_if_needed()
    label.locator("input").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "radio"
    option = page.evaluate("getComputedStyle(document.activeElement.closest('label')).outline")
    assert "3px" in option and FOCUS_RING in option, option


def test_phone_targets_are_at_least_44_px(page: Page, server: str):
    patient(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/lab")
    wait_for_app(page)
    radio = page.locator("[data-testid=stRadioOption]").locator("visible=true").first
    radio.scroll_into_view_if_needed()
    assert radio.bounding_box()["height"] >= 44
    page.goto(f"{server}/sign-in")
    wait_for_app(page)
    button = page.get_by_role("button", name="Sign in", exact=True)
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 44


def test_the_verify_page_keeps_its_address_through_a_reload(page: Page, server: str):
    patient(page)
    code = "CL-AAAA-BBBB-CCCC-DDDD"
    # The form printed on certificates (/?verify=) moves on to the Verify page's own address.
    page.goto(f"{server}/?verify={code}")
    wait_for_app(page)
    expect(page).to_have_url(re.compile(rf"/verify\?verify={code}$"))
    unknown = page.get_by_text(f"The code {code} is unknown")
    expect(unknown).to_be_visible()
    # Reloading or sharing that address opens the same page, not "Page not found".
    page.reload()
    wait_for_app(page)
    expect(unknown).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page).to_have_title("Verify a certificate · CareLab")
