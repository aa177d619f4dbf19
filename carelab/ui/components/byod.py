"""Widgets and views for the "your data" page: the file, column mapping, filters, results."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from carelab.content.text import escape_markdown
from carelab.errors import CareLabError
from carelab.indicators import describe, funnel, lab, reading, upload, worker
from carelab.indicators.examples import AE_ATTENDANCES, CHD_SURGERY, EXAMPLES, Example
from carelab.indicators.scenarios import Analysis
from carelab.indicators.truth import verdict
from carelab.ui.components import charts
from carelab.ui.components.lab_controls import OD_LABELS

NONE = "(none)"
KIND_LABELS = {
    "proportion": "Proportion: numerator out of denominator",
    "ratio": "Ratio: observed against expected",
}
EXAMPLE_KEY = "byod.example"
CACHE_KEY = "byod.cache"
# Choices that belong to one file: a new file starts from its own defaults.
FILE_CHOICES = ("byod.groups", "byod.periods", "byod.run_provider", "byod.guide_provider",
                "byod.provider", "byod.period",
                "byod.group", "byod.proportion.num", "byod.proportion.den", "byod.ratio.num",
                "byod.ratio.den")  # fmt: skip


@dataclass(frozen=True)
class Source:
    """The file the page works on: an upload, or a shipped example."""

    name: str
    data: bytes = field(repr=False)
    example: Example | None = None

    @property
    def digest(self) -> str:
        """Identify the file's content, so that results are kept per file."""
        return hashlib.sha256(self.data).hexdigest()


def _use_example(name: str = AE_ATTENDANCES.name) -> None:
    st.session_state[EXAMPLE_KEY] = name


def _use_upload() -> None:
    st.session_state[EXAMPLE_KEY] = None


def choose_source() -> Source | None:
    """The example button and the uploader; return the file the user chose last, if any."""
    example = AE_ATTENDANCES
    st.markdown(
        f"No file to hand? Try the example: {example.title}, from NHS England, under the "
        f"[{example.licence}]({example.licence_url})."
    )
    st.button("Try it with example data", key="byod.load_example", type="primary",
              icon=":material/table_view:", on_click=_use_example)  # fmt: skip
    st.markdown(
        "Or a published case: children's heart surgery in 14 UK and Irish hospitals, "
        "2011–2014, as the national audit published it (real figures, none simulated)."
    )
    st.button("Open the published case", key="byod.load_case", icon=":material/menu_book:",
              on_click=_use_example, args=(CHD_SURGERY.name,))  # fmt: skip
    limit = f"up to {reading.MAX_BYTES // 1_000_000} MB and {reading.MAX_ROWS:,} rows"
    uploaded = st.file_uploader(f"Or your own CSV file ({limit})", type=["csv", "tsv", "txt"],
                                key="byod.file", on_change=_use_upload,
                                max_upload_size=reading.MAX_BYTES // 1_000_000)  # fmt: skip
    chosen = EXAMPLES.get(st.session_state.get(EXAMPLE_KEY) or "")
    if chosen is not None:
        return Source(chosen.name, chosen.read(), chosen)
    if uploaded is not None:
        return Source(uploaded.name, uploaded.getvalue())
    return None


def about_example(example: Example) -> None:
    """Say what the example holds, where it comes from and under which licence (body text)."""
    st.success(f"**Example data:** {example.title}.", icon=":material/table_view:")
    licence = (
        f"[{example.licence}]({example.licence_url})" if example.licence_url else example.licence
    )
    st.markdown(
        f"Source: [{example.source}]({example.source_url}). Licence: {licence}. "
        f"{example.attribution} {example.hint}".replace("  ", " ")
    )


def _cache(source: Source) -> dict:
    """This session's results for the current file; a new file replaces them (one file kept)."""
    cache = st.session_state.get(CACHE_KEY)
    if cache is None or cache["digest"] != source.digest:
        for key in FILE_CHOICES:
            st.session_state.pop(key, None)
        kind = st.session_state.get("byod.kind", "proportion")
        try:
            summary, guess, checked = worker.run(upload.prepare, source.data, source.name, kind)
        except CareLabError as exc:
            cache = {"digest": source.digest, "error": exc}
        else:
            cache = {"digest": source.digest, "summary": summary, "checked": {guess: checked}}
        if source.example is not None and source.example.groups:
            st.session_state["byod.groups"] = list(source.example.groups)
        st.session_state[CACHE_KEY] = cache
    if "error" in cache:
        raise cache["error"]
    return cache


def summary(source: Source) -> upload.CsvSummary:
    """Columns, rows and format of the file, read once per file in a worker process."""
    return _cache(source)["summary"]


def checked(source: Source, mapping: upload.ColumnMapping) -> pd.DataFrame:
    """The file's data checked with `mapping`, in a worker; kept until the mapping changes."""
    cache = _cache(source)
    if mapping not in cache["checked"]:
        try:
            result = worker.run(upload.read_and_clean, source.data, source.name, mapping)
        except CareLabError as exc:
            result = exc
        cache["checked"] = {mapping: result}
    result = cache["checked"][mapping]
    if isinstance(result, CareLabError):
        raise result
    return result


def show_problems(exc: CareLabError) -> None:
    """List every problem found in the data, as plain text."""
    problems = getattr(exc, "problems", None) or [str(exc)]
    st.error(f"The data need fixing before they can be plotted ({len(problems)}):")
    st.code("\n".join(str(p) for p in problems), language=None, wrap_lines=True)


def _pick(label: str, columns: list[str], guess: str | None, key: str, optional: bool) -> str:
    options = [NONE, *columns] if optional else columns
    index = options.index(guess) if guess in options else 0
    return st.selectbox(label, options, index=index, key=key)


def mapping_controls(found: upload.CsvSummary) -> upload.ColumnMapping:
    """Choose what kind of indicator the file holds and which column plays which role."""
    columns = escape_markdown(", ".join(found.columns))
    st.markdown(f"{found.rows:,} rows, read as {found.format.describe()}; columns: {columns}")
    kind = st.radio("Kind of indicator", list(KIND_LABELS), format_func=KIND_LABELS.get,
                    key="byod.kind", horizontal=True)  # fmt: skip
    guess = upload.guess_mapping(found.columns, kind)
    columns = list(found.columns)
    names = ("Numerator", "Denominator") if kind == "proportion" else ("Observed", "Expected")
    cols = st.columns(5)
    with cols[0]:
        provider = _pick("Provider", columns, guess.provider, "byod.provider", False)
    with cols[1]:
        numerator = _pick(names[0], columns, guess.numerator, f"byod.{kind}.num", False)
    with cols[2]:
        denominator = _pick(names[1], columns, guess.denominator, f"byod.{kind}.den", False)
    with cols[3]:
        period = _pick("Period", columns, guess.period, "byod.period", True)
    with cols[4]:
        group = _pick("Group", columns, guess.group, "byod.group", True)
    return upload.ColumnMapping(
        kind, provider, numerator, denominator,
        None if period == NONE else period, None if group == NONE else group,
    )  # fmt: skip


def filters(data: pd.DataFrame) -> tuple[list[str] | None, list[str] | None]:
    """Choose which groups and periods to include."""
    chosen_groups = chosen_periods = None
    all_groups, all_periods = upload.groups(data), upload.periods(data)
    left, right = st.columns(2)
    if all_groups:
        chosen_groups = left.multiselect("Groups to include", all_groups, default=all_groups,
                                         key="byod.groups")  # fmt: skip
    if all_periods:
        chosen_periods = right.multiselect(
            "Periods to add up for the funnel plot", all_periods, default=all_periods[-1:],
            key="byod.periods",
        )  # fmt: skip
    return chosen_groups, chosen_periods


def funnel_options(kind: str) -> tuple[str, str, float | None, bool]:
    """Limit method, overdispersion, an optional target, and which direction is better."""
    higher_is_better = (
        st.radio(
            "A higher value is",
            ["worse", "better"],
            key="byod.direction",
            horizontal=True,
            help="Breaches or deaths: higher is worse. Care given or targets met: higher is "
            "better.",
        )
        == "better"
    )
    left, middle, right = st.columns(3)
    method = "exact"
    if kind == "proportion":
        method = left.radio(
            "Limits",
            ["exact", "normal"],
            key="byod.method",
            horizontal=True,
            format_func={"exact": "Exact binomial", "normal": "Normal"}.get,
        )
    overdispersion = middle.selectbox(
        "Overdispersion",
        list(OD_LABELS),
        format_func=OD_LABELS.get,
        key="byod.od",
        help="Widen the limits for real but unexplained variation (Spiegelhalter, QSHC 2005).",
    )
    custom = right.checkbox("Set the target myself", key="byod.custom_target")
    target = None
    if custom:
        default = 1.0 if kind == "ratio" else 0.5
        target = right.number_input("Target", 0.0, 100.0 if kind == "ratio" else 1.0, default,
                                    step=0.01, key="byod.target")  # fmt: skip
    return method, overdispersion, target, higher_is_better


def funnel_results(
    drawn: funnel.FunnelResult, kind: str, method: str, overdispersion: str, higher_is_better: bool
) -> None:
    """The funnel plot, what it shows in words, the table of its values and the download."""
    table = drawn.table
    shown = table.assign(verdict=[verdict(f, higher_is_better) for f in table["flag"]])
    curve = lab.funnel_curve(drawn, kind, Analysis(method, overdispersion))
    size_title = "Denominator (n)" if kind == "proportion" else "Expected (E)"
    text = describe.funnel_description(shown, "providers")
    target = shown["target"].iloc[0]
    text += f" Target: {target:.1%}." if kind == "proportion" else f" Target: {target:.4g}."
    chart = charts.funnel_chart(shown, curve, kind, "Funnel plot", size_title, description=text)
    st.altair_chart(chart, width="stretch")
    # Provider names come from the user's file: escaped, so they show exactly as written.
    st.markdown(escape_markdown(f"{text} {charts.LIMITS_KEY}"))
    counts = shown["flag"].value_counts()
    outside = counts.get("above998", 0) + counts.get("below998", 0)
    if overdispersion == "none" and outside > len(shown) / 2:
        st.warning(
            f"{outside} of {len(shown)} providers are outside the 99.8% limits: far more "
            "variation than chance alone. Before reading any one as an outlier, try an "
            "overdispersion adjustment (additive is Spiegelhalter's preference).",
            icon=":material/info:",
        )
    od = drawn.overdispersion
    st.markdown(
        f"Overdispersion: φ = {od.phi:.3g}, τ² = {od.tau2:.3g}"
        + ("" if overdispersion != "none" else " (estimated; limits not adjusted)")
    )
    # Four columns with the provider pinned: readable on a 390 px phone, where the full
    # table's columns after upper95 were off screen. The limits follow, folded.
    pinned = {"Provider": st.column_config.Column(pinned=True)}
    rows = describe.funnel_rows(shown, kind, size_title, noun="Provider")
    st.dataframe(rows, hide_index=True, width="stretch", column_config=pinned)
    with st.expander("Limits for each provider"):
        st.dataframe(_limits(shown, kind), hide_index=True, width="stretch", column_config=pinned)
    st.download_button("Download results (CSV)", upload.to_csv_bytes(_whole_sizes(table, kind)),
                       file_name="funnel-results.csv", mime="text/csv", on_click="ignore",
                       key="byod.download_funnel")  # fmt: skip


def _limits(shown: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Each provider's value, target and limits, rounded (per cent for a proportion)."""
    columns = ["value", "target", "lower95", "upper95", "lower998", "upper998"]
    scale, digits = (100, 2) if kind == "proportion" else (1, 3)
    limits = (shown[columns] * scale).round(digits)
    unit = " (%)" if kind == "proportion" else ""
    names = {
        "value": f"Value{unit}",
        "target": f"Target{unit}",
        "lower95": "Lower 95%",
        "upper95": "Upper 95%",
        "lower998": "Lower 99.8%",
        "upper998": "Upper 99.8%",
    }
    return pd.concat([shown[["provider"]], limits], axis=1).rename(
        columns={"provider": "Provider", **names}
    )


def _whole_sizes(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Write a proportion's n as a whole number, as the command line does."""
    if kind == "proportion":
        return table.assign(n=table["n"].round().astype("int64"))
    return table


def run_results(chart: pd.DataFrame, who: str, fractional: bool) -> None:
    """The XmR run chart, what it shows in words, the table of its values and the download."""
    text = describe.run_description(chart)
    drawn = charts.run_chart(chart, f"Run chart: {who}", ".3f" if fractional else ",.0f", text)
    st.altair_chart(drawn, width="stretch")
    st.markdown(escape_markdown(text))
    rows = describe.run_rows(chart, 3 if fractional else 1)
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"Period": st.column_config.Column(pinned=True)})  # fmt: skip
    out = chart.assign(rules=chart["rules"].map(";".join))
    st.download_button("Download run chart (CSV)", upload.to_csv_bytes(out),
                       file_name="run-chart.csv", mime="text/csv", on_click="ignore",
                       key="byod.download_spc")  # fmt: skip
