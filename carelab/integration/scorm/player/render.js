/* CareLab SCORM player: author Markdown (as a node tree made at build time) into the DOM.
   Every text goes in with textContent or text nodes, never innerHTML, so nothing an author
   writes is ever parsed as HTML. Links are only web or email addresses (checked again). */
"use strict";
var CareLab = window.CareLab || {};
window.CareLab = CareLab;

CareLab.el = function (tag, attrs, text) {
  var node = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (name) {
      if (attrs[name] === null || attrs[name] === undefined || attrs[name] === false) return;
      if (name === "className") node.className = attrs[name];
      else node.setAttribute(name, attrs[name] === true ? "" : String(attrs[name]));
    });
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
};

CareLab.safeHref = function (href) {
  return /^(https?:\/\/|mailto:)\S+$/i.test(href) ? href : null;
};

CareLab.link = function (href, text) {
  var a = CareLab.el("a", { href: CareLab.safeHref(href), target: "_blank", rel: "noopener noreferrer" }, text);
  if (!a.getAttribute("href")) return CareLab.el("span", null, text);
  var note = CareLab.el("span", { className: "sr-only" }, " (opens in a new window)");
  a.appendChild(note);
  return a;
};

CareLab.inline = function (parent, nodes) {
  (nodes || []).forEach(function (node) {
    if (typeof node === "string") {
      parent.appendChild(document.createTextNode(node));
    } else if (node.b) {
      CareLab.inline(parent.appendChild(CareLab.el("strong")), node.b);
    } else if (node.i) {
      CareLab.inline(parent.appendChild(CareLab.el("em")), node.i);
    } else if (node.code !== undefined) {
      parent.appendChild(CareLab.el("code", null, node.code));
    } else if (node.a) {
      var a = CareLab.link(node.a, "");
      var target = a.tagName === "A" ? a : a;
      var label = CareLab.el("span");
      CareLab.inline(label, node.c);
      target.insertBefore(label, target.firstChild);
      parent.appendChild(target);
    }
  });
  return parent;
};

CareLab.blocks = function (parent, blocks, headingBase) {
  var base = headingBase || 3;
  (blocks || []).forEach(function (block) {
    if (block.p) {
      parent.appendChild(CareLab.inline(CareLab.el("p"), block.p));
    } else if (block.h) {
      var level = Math.min(6, base + block.h - 1);
      parent.appendChild(CareLab.inline(CareLab.el("h" + level), block.c));
    } else if (block.ul || block.ol) {
      var list = CareLab.el(block.ul ? "ul" : "ol", block.ol && block.start !== 1 ? { start: block.start } : null);
      (block.ul || block.ol).forEach(function (item) {
        var li = CareLab.el("li");
        if (item.length === 1 && item[0].p) CareLab.inline(li, item[0].p);
        else CareLab.blocks(li, item, base);
        list.appendChild(li);
      });
      parent.appendChild(list);
    } else if (block.quote) {
      parent.appendChild(CareLab.blocks(CareLab.el("blockquote"), block.quote, base));
    } else if (block.pre !== undefined) {
      var pre = CareLab.el("pre");
      pre.appendChild(CareLab.el("code", null, block.pre));
      parent.appendChild(pre);
    } else if (block.table) {
      var wrap = CareLab.el("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-label": "Table" });
      var table = CareLab.el("table");
      var head = table.appendChild(CareLab.el("thead")).appendChild(CareLab.el("tr"));
      block.table.head.forEach(function (cell) {
        head.appendChild(CareLab.inline(CareLab.el("th", { scope: "col" }), cell));
      });
      var body = table.appendChild(CareLab.el("tbody"));
      block.table.rows.forEach(function (row) {
        var tr = body.appendChild(CareLab.el("tr"));
        row.forEach(function (cell) { tr.appendChild(CareLab.inline(CareLab.el("td"), cell)); });
      });
      wrap.appendChild(table);
      parent.appendChild(wrap);
    }
  });
  return parent;
};

CareLab.citation = function (parent, text, url, prefix) {
  var p = CareLab.el("p", { className: "source" }, (prefix || "") + text);
  if (url) {
    p.appendChild(document.createTextNode(" "));
    p.appendChild(CareLab.link(url, url));
  }
  parent.appendChild(p);
  return p;
};
