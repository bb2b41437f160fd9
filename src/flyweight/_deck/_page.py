"""The deck page: every deck of a task as a tab of one self-contained HTML file (``deck.html``).

The page loads nothing: no fonts, scripts or styles from the network, so it opens offline, on an
air-gapped cluster and in Flyte's console alike. Deck names are escaped; a deck's HTML is the renderer's
(renderers escape the values they show). Decks of the same name share one tab, in the order they were
made (flytekit keeps only the last of them).
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable
from typing import Protocol

__all__ = ["NamedHtml", "render_page"]


class NamedHtml(Protocol):
    """A deck as the page needs it."""

    @property
    def name(self) -> str: ...

    @property
    def html(self) -> str: ...


_STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:#1f2328;background:#fff}
header{padding:10px 24px;border-bottom:1px solid #d0d7de;background:#f6f8fa;font-size:14px;color:#57606a}
header strong{color:#1f2328}
#flyte-frame-tabs{display:flex;flex-wrap:wrap;gap:4px;list-style:none;margin:0;padding:0 16px;
border-bottom:1px solid #d0d7de}
#flyte-frame-tabs li{cursor:pointer;padding:10px 14px;font-size:14px;font-weight:600;color:#57606a;
border-bottom:3px solid transparent}
#flyte-frame-tabs li.active{color:#1f2328;border-bottom-color:#8250df}
#flyte-frame-tabs li:focus{outline:2px solid #8250df}
#flyte-frame-container>div{display:none;padding:20px 24px;overflow:auto}
#flyte-frame-container>div.active{display:block}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:12px;white-space:pre-wrap;word-break:break-word}
.fw-timeline{width:100%}
.fw-timeline td.bar{width:45%;min-width:200px}
.fw-timeline td.bar span{display:block;height:12px;background:#8250df;border-radius:2px}
.fw-note{color:#57606a;font-size:12px}
.fw-error{border:1px solid #cf222e;background:#ffebe9;padding:8px 12px}
.fw-empty{color:#57606a}
"""

_SCRIPT = """
(function(){
  var tabs=document.getElementById('flyte-frame-tabs').children;
  var panes=document.getElementById('flyte-frame-container').children;
  function show(i){
    for(var j=0;j<tabs.length;j++){
      tabs[j].classList.toggle('active',j===i);
      tabs[j].setAttribute('aria-selected',j===i?'true':'false');
      panes[j].classList.toggle('active',j===i);
    }
  }
  for(var i=0;i<tabs.length;i++){
    (function(k){
      tabs[k].addEventListener('click',function(){show(k);});
      tabs[k].addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){show(k);}});
    })(i);
  }
  if(tabs.length){show(0);}
  document.body.setAttribute('data-rendered','1');
})();
"""


def render_page(decks: Iterable[NamedHtml], title: str = "") -> str:
    """The page of ``decks``: one tab per deck name, in the order the names first appear."""
    merged: dict[str, list[str]] = {}
    for deck in decks:
        merged.setdefault(deck.name, []).append(deck.html)
    nav = []
    body = []
    for i, (name, parts) in enumerate(merged.items()):
        label = _html.escape(name)
        nav.append(f'<li role="tab" tabindex="0" data-deck="{label}" id="deck-tab-{i}">{label}</li>')
        content = "\n".join(parts) or '<p class="fw-empty">(empty)</p>'
        body.append(
            f'<div role="tabpanel" data-deck="{label}" aria-labelledby="deck-tab-{i}">{content}</div>'
        )
    heading = f"<header><strong>{_html.escape(title)}</strong></header>" if title else ""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_html.escape(title or 'Deck')}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'{heading}<nav id="flyte-frame-nav">'
        f'<ul id="flyte-frame-tabs" role="tablist">{"".join(nav)}</ul></nav>\n'
        f'<div id="flyte-frame-container">{"".join(body)}</div>\n'
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
