"""Review a plan's candidate values with ipywidgets (the ``add_region`` notebook): each candidate
with its line in context, accept / reject / edit, save the review CSV and merge it.

The widget only edits rows of a review CSV (the same file ``planlib extract -o`` writes and
``planlib extract --accept`` merges), so a review can be started in the notebook and finished in
Excel or WPS, or the other way round.
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from planlib.data.extract.review import MergeError, MergeResult, merge_review, read_review

STATUSES = ["", "accept", "reject"]


class ReviewWidget:
    """Rows of a review CSV as widgets: status, indicator, year, kind and value as written are
    editable; the line's context, the rule that found the value and its flags are shown."""

    def __init__(self, review: str | Path, min_confidence: float = 0.0) -> None:
        """Widgets for every row of the review CSV ``review``; rows below ``min_confidence`` are hidden."""
        import ipywidgets as w

        self.path = Path(review)
        self.rows, self.meta = read_review(self.path)
        self.controls: list[dict[str, object]] = []
        items = []
        for r in self.rows:
            c = {"status": w.Dropdown(options=STATUSES, value=r["status"] if r["status"] in STATUSES else "",
                                      layout=w.Layout(width="90px")),
                 "indicator_id": w.Text(r["indicator_id"], layout=w.Layout(width="230px")),
                 "year": w.Text(r["year"], layout=w.Layout(width="55px")),
                 "kind": w.Dropdown(options=["actual", "target"], value=r["kind"] or "actual",
                                    layout=w.Layout(width="85px")),
                 "value_text": w.Text(r["value_text"], layout=w.Layout(width="170px"))}
            self.controls.append(c)
            info = w.HTML(_info(r))
            show = float(r.get("confidence") or 0) >= min_confidence
            box = w.HBox([c["status"], c["indicator_id"], c["year"], c["kind"], c["value_text"], info],
                         layout=w.Layout(display="flex" if show else "none"))
            items.append(box)
        self.save_button = w.Button(description="Save review")
        self.merge_button = w.Button(description="Save and merge")
        self.output = w.Output()
        self.save_button.on_click(lambda _: self._report(self.save))
        self.merge_button.on_click(lambda _: self._report(self.merge))
        self.widget = w.VBox(items + [w.HBox([self.save_button, self.merge_button]), self.output])
        self.data: str | Path | None = None

    def _ipython_display_(self) -> None:
        """Show the widget in a notebook."""
        from IPython.display import display

        display(self.widget)

    def set_status(self, status: str, min_confidence: float = 0.0, known_only: bool = True) -> int:
        """Mark every row at or above ``min_confidence`` (with a catalog indicator, if
        ``known_only``) with ``status``; returns how many were marked."""
        n = 0
        for r, c in zip(self.rows, self.controls):
            if float(r.get("confidence") or 0) >= min_confidence and (c["indicator_id"].value or not known_only):
                c["status"].value = status
                n += 1
        return n

    def edited_rows(self) -> list[dict[str, str]]:
        """The rows with the widgets' values."""
        out = []
        for r, c in zip(self.rows, self.controls):
            row = dict(r)
            for k, ctl in c.items():
                row[k] = str(ctl.value)
            if row["value_text"] != r["value_text"]:  # re-read from the edited text on merge
                row["comparator"], row["value"] = "", ""
            out.append(row)
        return out

    def save(self) -> Path:
        """Write the edited rows back to the review CSV (UTF-8 with BOM)."""
        rows = self.edited_rows()
        with self.path.open("w", encoding="utf-8-sig", newline="") as fh:
            wr = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["status"], lineterminator="\r\n")
            wr.writeheader()
            wr.writerows(rows)
        return self.path

    def merge(self, data: str | Path | None = None) -> MergeResult:
        """Save, then merge the accepted rows into the data folder (``data``, else the one given
        to the widget, else the default); raises MergeError (nothing changed) if rejected."""
        self.save()
        return merge_review(self.path, data if data is not None else self.data)

    def _report(self, action: Callable[[], object]) -> None:
        """Run ``action`` and show its result or the reasons a merge was refused."""
        with self.output:
            self.output.clear_output()
            try:
                res = action()
            except MergeError as exc:
                print("Not merged; the data folder is unchanged:")
                for p in exc.problems:
                    print("  ", p)
                return
            print(res)


def _info(r: dict[str, str]) -> str:
    """The line, rule, confidence, flags and context of a row, as HTML."""
    import html

    flags = f" <b>⚑ {html.escape(r['flags'])}</b>" if r.get("flags") else ""
    return (f"<small>line {html.escape(r['source_line'])} · {html.escape(r.get('via', ''))} · "
            f"{html.escape(r.get('confidence', ''))}{flags}<br>{html.escape(r.get('context', ''))}</small>")
